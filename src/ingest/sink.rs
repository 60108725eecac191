//! Where a pass's rows go: the [`Sink`] a command implements, and its refusal to take more.

use crate::value::Value;
use anyhow::Result;

/// What the rows go to: one per thread and byte range, merged at the end. Merging must give
/// what one sink fed every row would give, whatever the split.
pub trait Sink: Send {
    /// Takes a row; returns whether it was kept (false: the source's filter removed it).
    fn add_row(&mut self, row: &[Value<'_>]) -> bool;
    /// A slot whose value alone can tell that a row is not wanted: it is parsed first, and
    /// [`Sink::wants`] decides whether the others are.
    fn gate(&self) -> Option<usize> {
        None
    }
    fn wants(&self, _gate_value: &Value<'_>) -> bool {
        true
    }
    /// A row turned down by [`Sink::wants`], still to be counted.
    fn add_unwanted(&mut self, _gate_value: &Value<'_>) {}
    /// Why the sink cannot take more rows (it would outgrow its limits): the pass stops.
    fn refusal(&self) -> Option<String> {
        None
    }
    /// Whether the sink has seen enough rows (a sample): the pass ends early, normally. Asked
    /// every few thousand rows, so a sink gets somewhat more rows than it asks for.
    fn is_full(&self) -> bool {
        false
    }
    fn absorb(&mut self, other: Self)
    where
        Self: Sized;
}

/// A sink's [`Sink::refusal`], carried up as the pass's error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The sink's refusal as an error.
pub(super) fn refused<S: Sink>(sink: &S) -> Result<()> {
    match sink.refusal() {
        Some(reason) => Err(Refused(reason).into()),
        None => Ok(()),
    }
}
