//! Phase timings for profiling a build: set `DOSSIER_TIMINGS=1` and each
//! phase prints its duration to stderr.

use std::sync::OnceLock;
use std::time::Instant;

pub(crate) struct Timer {
    last: Instant,
}

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DOSSIER_TIMINGS").is_some_and(|v| !v.is_empty()))
}

impl Timer {
    pub(crate) fn new() -> Timer {
        Timer {
            last: Instant::now(),
        }
    }

    /// Prints the time since the previous lap under `phase`.
    pub(crate) fn lap(&mut self, phase: &str) {
        if enabled() {
            let now = Instant::now();
            eprintln!(
                "timing {phase}: {:.2} ms{}",
                (now - self.last).as_secs_f64() * 1000.0,
                memory()
            );
            self.last = now;
        }
    }
}

/// Resident memory now and at its peak, from `/proc/self/status` where
/// there is one (Linux): where a build's memory goes, phase by phase.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or(0, |kb| kb / 1024)
    };
    format!(" (RSS {} MB, peak {} MB)", field("VmRSS:"), field("VmHWM:"))
}
