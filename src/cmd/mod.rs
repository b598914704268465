//! One module per subcommand; each turns parsed arguments into a run of the
//! library and an exit code.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod init;
