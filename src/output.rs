//! Everything slotbase prints on stdout goes through here: tables, JSON, plain lines.
//! Errors propagate (a closed pipe ends the command quietly with exit 0).

use std::io::{self, IsTerminal, Write};

use comfy_table::{Cell, ContentArrangement, Table, presets};
use serde::Serialize;

/// Print one line.
pub fn line(text: impl AsRef<str>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_ref().as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Print a value as pretty JSON.
pub fn json<T: Serialize + ?Sized>(value: &T) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    line(text)
}

/// Print a value as one compact JSON line (for streams such as `emit --print`).
pub fn json_line<T: Serialize + ?Sized>(value: &T) -> io::Result<()> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    line(text)
}

/// Print many prepared lines at once (fast path for bulk output).
pub fn lines<I, S>(items: I) -> io::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = io::BufWriter::new(io::stdout().lock());
    for item in items {
        out.write_all(item.as_ref().as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Build a table with slotbase's style; the caller adds rows then calls [`table`].
pub fn new_table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_BORDERS_ONLY);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if !io::stdout().is_terminal() {
        t.set_width(200);
    }
    t.set_header(headers.iter().map(Cell::new));
    t
}

/// Print a table.
pub fn table(t: &Table) -> io::Result<()> {
    line(t.to_string())
}

/// Print key/value pairs aligned in two columns.
pub fn fields(pairs: &[(&str, String)]) -> io::Result<()> {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let text: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            let mut it = v.lines();
            let first = it.next().unwrap_or("");
            let mut s = format!("{k:<width$}  {first}");
            for more in it {
                s.push('\n');
                s.push_str(&" ".repeat(width + 2));
                s.push_str(more);
            }
            s
        })
        .collect();
    lines(text)
}

/// Whether stdout is an interactive terminal (for redraws and colours).
pub fn is_terminal() -> bool {
    io::stdout().is_terminal()
}
