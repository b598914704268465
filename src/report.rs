//! Printing results for people: diagnostics, failures and the summary line,
//! in colour only on a terminal and never when `NO_COLOR` is set.

use std::io::{IsTerminal, Write};

use crate::session::Failure;

#[derive(Clone)]
pub(crate) struct Reporter {
    color: bool,
}

impl Reporter {
    pub(crate) fn new() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Reporter {
            color: !no_color && std::io::stderr().is_terminal(),
        }
    }

    /// Prints why `action` failed; returns the exit code (1).
    pub(crate) fn failure(&self, failure: &Failure, action: &str) -> u8 {
        let mut err = std::io::stderr().lock();
        match failure {
            Failure::Content(diagnostics) => {
                for d in &diagnostics.0 {
                    let _ = writeln!(err, "{}\n", d.render(self.color));
                }
                let n = diagnostics.0.len();
                let plural = if n == 1 { "" } else { "s" };
                let _ = writeln!(
                    err,
                    "{}: {action} failed with {n} error{plural}; nothing was written",
                    self.red("error")
                );
            }
            Failure::Other(e) => {
                let _ = writeln!(err, "{}: {}", self.red("error"), cause_chain(e));
                let _ = writeln!(
                    err,
                    "{action} failed; the previous output, if any, is unchanged"
                );
            }
        }
        1
    }

    /// Prints problems found after a successful build (broken links), then
    /// `closing`; returns the exit code (1).
    pub(crate) fn problems(
        &self,
        diagnostics: &[crate::diagnostic::Diagnostic],
        closing: &str,
    ) -> u8 {
        let mut err = std::io::stderr().lock();
        for d in diagnostics {
            let _ = writeln!(err, "{}\n", d.render(self.color));
        }
        let _ = writeln!(err, "{}: {closing}", self.red("error"));
        1
    }

    /// Prints an operational error with its causes; returns the exit code (1).
    pub(crate) fn error(&self, e: &anyhow::Error) -> u8 {
        eprintln!("{}: {}", self.red("error"), cause_chain(e));
        1
    }

    pub(crate) fn summary(&self, line: &str) {
        println!("{line}");
    }

    fn red(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1;31m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// An operational error and every cause under it, one per line, as the
/// terminal and the `serve` overlay both show it. Tera hides the real cause
/// in `source()`, so the whole chain matters; causes that an outer message
/// already quotes are left out.
pub(crate) fn cause_chain(e: &anyhow::Error) -> String {
    let mut shown: Vec<String> = Vec::new();
    for cause in e.chain().map(ToString::to_string) {
        if !shown.iter().any(|s| s.contains(cause.as_str())) {
            shown.push(cause);
        }
    }
    shown.join("\ncaused by: ")
}
