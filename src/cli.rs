//! Command-line arguments: parsing and dispatch to the subcommands.
//!
//! Exit codes: 0 success, 1 content or build errors, 2 usage errors.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cmd;
use crate::report::Reporter;
use crate::session::Overrides;
use crate::tlp::Tlp;

#[derive(Parser)]
#[command(
    name = "dossier",
    version,
    about = "Build annotated dossiers into linked static sites"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate everything and render the site into the output folder
    Build(BuildArgs),
    /// Validate everything and check that every internal link, asset and
    /// #fragment of the rendered site resolves; writes nothing
    Check(CheckArgs),
    /// Write a small starter dossier into DIR (default: the current folder)
    Init(InitArgs),
    /// Build, serve the site locally and rebuild and reload on every change
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
}

#[cfg(feature = "serve")]
#[derive(Args)]
struct ServeArgs {
    /// The dossier folder (holding `content/`)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The address to listen on; loopback unless you choose otherwise
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// The port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Highest TLP level to show: clear, green, amber, amber+strict or red
    #[arg(long, value_parser = parse_tlp)]
    tlp: Option<Tlp>,
    /// Include articles marked `draft: true`
    #[arg(long)]
    drafts: bool,
    /// Open the site in the default browser
    #[arg(long)]
    open: bool,
    /// Poll for changes instead of using file system events (for network
    /// and container file systems where events do not arrive)
    #[arg(long)]
    poll: bool,
    /// Also answer requests addressed to this host name (repeatable). By
    /// default only the bound address, `localhost`, `127.0.0.1` and `[::1]`
    /// are answered, which defeats DNS rebinding
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
}

/// What `build` and `check` both take: which dossier, published how.
#[derive(Args)]
struct SiteArgs {
    /// The dossier folder (holding `content/`)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The site's URL (default: `base_url` of dossier.yaml); a path prefix
    /// (`https://example.org/sub/`) is honoured everywhere
    #[arg(long)]
    base_url: Option<String>,
    /// Highest TLP level to publish: clear, green, amber, amber+strict or red
    /// (default: `publish_tlp` of dossier.yaml)
    #[arg(long, value_parser = parse_tlp)]
    tlp: Option<Tlp>,
    /// Include articles marked `draft: true`
    #[arg(long)]
    drafts: bool,
}

impl SiteArgs {
    fn overrides(&self, output: Option<PathBuf>) -> Overrides {
        Overrides {
            base_url: self.base_url.clone(),
            tlp: self.tlp,
            drafts: self.drafts,
            output,
        }
    }
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site (default: `output_dir` of dossier.yaml, `public`)
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
}

#[derive(Args)]
struct InitArgs {
    /// The folder to create the dossier in; must be empty or missing
    #[arg(default_value = ".")]
    dir: PathBuf,
}

fn parse_tlp(text: &str) -> Result<Tlp, String> {
    Tlp::parse(text).ok_or_else(|| {
        format!("`{text}` is not a TLP level; use clear, green, amber, amber+strict or red")
    })
}

pub(crate) fn run() -> u8 {
    let cli = Cli::parse();
    let reporter = Reporter::new();
    match cli.command {
        Command::Build(args) => {
            // Relative to where the command runs, not to --root.
            let output = args.output.map(|o| {
                if o.is_absolute() {
                    o
                } else {
                    std::env::current_dir().unwrap_or_default().join(o)
                }
            });
            let overrides = args.site.overrides(output);
            cmd::build::run(&args.site.root, overrides, &reporter)
        }
        Command::Check(args) => {
            let overrides = args.site.overrides(None);
            cmd::check::run(&args.site.root, overrides, &reporter)
        }
        Command::Init(args) => cmd::init::run(&args.dir, &reporter),
        #[cfg(feature = "serve")]
        Command::Serve(args) => {
            let overrides = Overrides {
                base_url: None,
                tlp: args.tlp,
                drafts: args.drafts,
                output: None,
            };
            let options = crate::serve::Options {
                bind: args.bind,
                port: args.port,
                open: args.open,
                poll: args.poll,
                allow_hosts: args.allow_hosts,
            };
            crate::serve::run(&args.root, overrides, options, &reporter)
        }
    }
}
