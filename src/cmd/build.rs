//! `dossier build`: render the site into the output folder, safely.

use std::path::Path;
use std::time::Instant;

use crate::output::Staging;
use crate::pipeline::{self, Failure, Overrides};
use crate::report::Reporter;

pub(crate) fn run(root: &Path, overrides: &Overrides, reporter: &Reporter) -> u8 {
    let started = Instant::now();
    let built = match pipeline::prepare(root, overrides) {
        Ok(built) => built,
        Err(failure) => return reporter.failure(&failure, "build"),
    };
    let target = built.output_dir(root, overrides);
    let staging = match Staging::new(root, &target) {
        Ok(staging) => staging,
        Err(e) => return reporter.failure(&Failure::Other(e), "build"),
    };
    let stats = match built.render(&staging) {
        Ok(stats) => stats,
        Err(e) => {
            staging.abandon();
            return reporter.failure(&Failure::Other(e), "build");
        }
    };
    if let Err(e) = staging.commit() {
        return reporter.failure(&Failure::Other(e), "build");
    }
    let shown = target.strip_prefix(root).unwrap_or(&target);
    reporter.summary(&format!(
        "Built {} pages with {} annotations into {}/ in {} ms",
        stats.pages,
        stats.annotations,
        shown.display(),
        started.elapsed().as_millis()
    ));
    0
}
