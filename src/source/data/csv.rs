//! CSV data files (RFC 4180), read here: the first row names the columns, and every other row
//! becomes an object of strings keyed by them, as Jekyll reads them.

use super::{DataLink, is_link_key};
use crate::diagnostics::Diagnostic;
use serde_json::{Map, Value};

/// One cell of a CSV file: its text and where it is written (its opening quote if quoted).
struct Cell {
    text: String,
    line: usize,
    col: usize,
}

/// A CSV file as a list of objects keyed by the first row. The links are the cells of the
/// columns named like link keys, at their exact positions.
pub(super) fn parse_csv(path: &str, text: &str) -> Result<(Value, Vec<DataLink>), Diagnostic> {
    let mut records = csv_records(path, text)?.into_iter();
    let Some(header) = records.next() else {
        return Ok((Value::Array(Vec::new()), Vec::new()));
    };
    check_header(path, &header)?;
    let mut rows = Vec::new();
    let mut links = Vec::new();
    for record in records {
        if let Some(extra) = record.get(header.len()) {
            return Err(Diagnostic::error(
                path,
                format!(
                    "this row has {} cells, but the header (line {}) names {} columns",
                    record.len(),
                    header[0].line,
                    header.len()
                ),
            )
            .at(extra.line, extra.col)
            .help("put a cell that holds a comma in double quotes (`\"Paris, France\"`), or name the extra column in the header"));
        }
        let mut row = Map::new();
        for (i, name) in header.iter().enumerate() {
            let cell = record.get(i);
            if let Some(cell) = cell
                && is_link_key(&name.text)
                && !cell.text.trim().is_empty()
            {
                links.push(DataLink {
                    dest: cell.text.clone(),
                    line: cell.line,
                    col: cell.col,
                });
            }
            let text = cell.map_or_else(String::new, |cell| cell.text.clone());
            row.insert(name.text.clone(), Value::String(text));
        }
        rows.push(Value::Object(row));
    }
    Ok((Value::Array(rows), links))
}

/// Every column of the header has a name, and no name is used twice.
fn check_header(path: &str, header: &[Cell]) -> Result<(), Diagnostic> {
    for (i, cell) in header.iter().enumerate() {
        if cell.text.trim().is_empty() {
            return Err(Diagnostic::error(
                path,
                format!("column {} of the header has no name", i + 1),
            )
            .at(cell.line, cell.col)
            .help("give every column a name in the first line, or remove the empty column (a comma at the end of the line makes one)"));
        }
        if let Some(first) = header[..i].iter().position(|c| c.text == cell.text) {
            return Err(Diagnostic::error(
                path,
                format!(
                    "the column name `{}` is used twice (columns {} and {})",
                    cell.text,
                    first + 1,
                    i + 1
                ),
            )
            .at(cell.line, cell.col)
            .help("rename one of the two columns: each row becomes an object keyed by the column names"));
        }
    }
    Ok(())
}

/// A position in CSV text, counting lines and columns (in characters) as it goes.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    col: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    /// Consumes a line end (`\n` or `\r\n`) if one is next.
    fn line_end(&mut self) -> bool {
        let len = match self.rest() {
            rest if rest.starts_with("\r\n") => 2,
            rest if rest.starts_with('\n') => 1,
            _ => return false,
        };
        for _ in 0..len {
            self.bump();
        }
        true
    }
}

/// The records of CSV text, RFC 4180: cells separated by `,`, records by `\n` or `\r\n`,
/// quoted cells may hold `,`, line ends and `""` for a quote. A blank line is no record.
fn csv_records(path: &str, text: &str) -> Result<Vec<Vec<Cell>>, Diagnostic> {
    let mut reader = Reader {
        text,
        pos: 0,
        line: 1,
        col: 1,
    };
    let mut records = Vec::new();
    while !reader.rest().is_empty() {
        if reader.line_end() {
            continue;
        }
        let mut cells = Vec::new();
        loop {
            let (line, col) = (reader.line, reader.col);
            let text = match reader.rest().starts_with('"') {
                true => quoted_cell(path, &mut reader)?,
                false => plain_cell(&mut reader),
            };
            cells.push(Cell { text, line, col });
            if reader.rest().starts_with(',') {
                reader.bump();
                continue;
            }
            reader.line_end();
            break;
        }
        records.push(cells);
    }
    Ok(records)
}

/// A cell that does not start with a quote: up to the next `,` or line end. A quote inside
/// it is kept as written.
fn plain_cell(reader: &mut Reader) -> String {
    let rest = reader.rest();
    let mut end = rest.find([',', '\n']).unwrap_or(rest.len());
    if rest[end..].starts_with('\n') && rest[..end].ends_with('\r') {
        end -= 1;
    }
    let cell = rest[..end].to_string();
    reader.pos += end;
    reader.col += cell.chars().count();
    cell
}

/// A cell in double quotes, which may hold `,`, line ends and `""` for one quote.
fn quoted_cell(path: &str, reader: &mut Reader) -> Result<String, Diagnostic> {
    let (line, col) = (reader.line, reader.col);
    reader.bump();
    let mut cell = String::new();
    loop {
        match reader.bump() {
            None => {
                return Err(Diagnostic::error(path, "this quote is never closed: the cell it opens runs to the end of the file")
                    .at(line, col)
                    .help("add the closing `\"` at the end of the cell; a quote inside a quoted cell is written twice (`\"\"`)"));
            }
            Some('"') if reader.rest().starts_with('"') => {
                reader.bump();
                cell.push('"');
            }
            Some('"') => break,
            Some(c) => cell.push(c),
        }
    }
    let rest = reader.rest();
    if !(rest.is_empty() || rest.starts_with([',', '\n']) || rest.starts_with("\r\n")) {
        return Err(Diagnostic::error(path, "text after the closing quote of a quoted cell")
            .at(reader.line, reader.col)
            .help("end the cell right after its closing `\"`; a quote inside a quoted cell is written twice: `\"say \"\"hi\"\"\"`"));
    }
    Ok(cell)
}
