//! The `dossier` binary: everything lives in the library.

// Building allocates many small strings from several threads at once,
// which glibc's allocator handles poorly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dossier::main()
}
