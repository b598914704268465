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
}

#[derive(Args)]
struct BuildArgs {
    /// The dossier folder (holding `content/`)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where to write the site (default: `output_dir` of dossier.yaml, `public`)
    #[arg(long)]
    output: Option<PathBuf>,
    /// The site's URL; a path prefix (`https://example.org/sub/`) is honoured everywhere
    #[arg(long)]
    base_url: Option<String>,
    /// Highest TLP level to publish: clear, green, amber, amber+strict or red
    #[arg(long, value_parser = parse_tlp)]
    tlp: Option<Tlp>,
    /// Include articles marked `draft: true`
    #[arg(long)]
    drafts: bool,
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
            let overrides = Overrides {
                base_url: args.base_url,
                tlp: args.tlp,
                drafts: args.drafts,
                output: args.output.map(|o| {
                    if o.is_absolute() {
                        o
                    } else {
                        std::env::current_dir().unwrap_or_default().join(o)
                    }
                }),
            };
            cmd::build::run(&args.root, overrides, &reporter)
        }
    }
}
