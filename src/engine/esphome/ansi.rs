//! ESPHome log lines carry ANSI SGR escapes (`\x1b[0;32m … \x1b[0m`). This
//! turns one line into plain text plus coloured runs — data, not drawing:
//! the console maps runs to styles, the CLI strips or keeps them.

use serde::{Deserialize, Serialize};

/// A run of text with one style. Offsets are byte offsets into `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub start: u32,
    pub end: u32,
    /// 0–7: black, red, green, yellow, blue, magenta, cyan, white; None = default.
    pub fg: Option<u8>,
    pub bold: bool,
    /// SGR 8: ESPHome conceals secrets in config dumps this way.
    pub hidden: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Styled {
    pub text: String,
    pub runs: Vec<Run>,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Pen {
    fg: Option<u8>,
    bold: bool,
    hidden: bool,
}

/// Parse one line. Unknown or broken escapes are dropped, never shown raw
/// and never a panic; other control characters are dropped too.
pub fn parse(raw: &str) -> Styled {
    // The fast path is for text with no escape and no control character:
    // C0 (and ESC), DEL, and C1 (U+0080–U+009F, UTF-8 lead byte 0xC2; other
    // characters with that lead byte just take the slow path). Fuzzing found
    // DEL passing through here.
    if !raw.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        let len = raw.len() as u32;
        let runs = if len > 0 { vec![Run { start: 0, end: len, fg: None, bold: false, hidden: false }] } else { Vec::new() };
        return Styled { text: raw.to_string(), runs };
    }
    let mut out = Styled { text: String::with_capacity(raw.len()), runs: Vec::with_capacity(4) };
    let mut pen = Pen::default();
    let mut run_start = 0u32;
    let mut chars = raw.char_indices().peekable();
    let close = |out: &mut Styled, start: u32, pen: Pen| {
        let end = out.text.len() as u32;
        if end > start {
            out.runs.push(Run { start, end, fg: pen.fg, bold: pen.bold, hidden: pen.hidden });
        }
    };
    while let Some((_, c)) = chars.next() {
        if c == '\x1b' {
            if chars.peek().map(|(_, n)| *n) != Some('[') {
                continue;
            }
            chars.next();
            let mut params = String::new();
            let mut fin = None;
            for (_, p) in chars.by_ref() {
                if p.is_ascii_digit() || p == ';' {
                    if params.len() < 32 {
                        params.push(p);
                    }
                } else {
                    fin = Some(p);
                    break;
                }
            }
            if fin != Some('m') {
                continue;
            }
            let mut next = pen;
            apply_sgr(&mut next, &params);
            if next != pen {
                close(&mut out, run_start, pen);
                run_start = out.text.len() as u32;
                pen = next;
            }
        } else if c == '\t' || !c.is_control() {
            out.text.push(c);
        }
    }
    close(&mut out, run_start, pen);
    out
}

fn apply_sgr(pen: &mut Pen, params: &str) {
    let mut it = params.split(';').map(|p| p.parse::<u16>().unwrap_or(0));
    while let Some(p) = it.next() {
        match p {
            0 => *pen = Pen::default(),
            1 => pen.bold = true,
            22 => pen.bold = false,
            8 => pen.hidden = true,
            28 => pen.hidden = false,
            30..=37 => pen.fg = Some((p - 30) as u8),
            90..=97 => {
                pen.fg = Some((p - 90) as u8);
                pen.bold = true;
            }
            39 => pen.fg = None,
            38 => {
                // 38;5;n or 38;2;r;g;b: not ESPHome's; skip the arguments.
                match it.next() {
                    Some(5) => {
                        it.next();
                    }
                    Some(2) => {
                        it.next();
                        it.next();
                        it.next();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// The text with every escape removed.
pub fn strip(raw: &str) -> String {
    parse(raw).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esphome_line() {
        let s = parse("\x1b[0;32m[I][app:029]: Running\x1b[0m");
        assert_eq!(s.text, "[I][app:029]: Running");
        assert_eq!(s.runs, vec![Run { start: 0, end: 21, fg: Some(2), bold: false, hidden: false }]);
        let s = parse("\x1b[1;31m[E]\x1b[0m tail \x1b[8msecret\x1b[28m");
        assert_eq!(s.text, "[E] tail secret");
        assert_eq!(s.runs.len(), 3);
        assert!(s.runs[0].bold && s.runs[0].fg == Some(1));
        assert!(s.runs[2].hidden);
    }

    #[test]
    fn plain_and_broken_escapes() {
        assert_eq!(parse("plain").runs.len(), 1);
        assert_eq!(parse("").runs.len(), 0);
        assert_eq!(strip("a\x1b[99;zb\x1bc\x1b[38;5;200mc\x07"), "abcc");
        assert_eq!(strip("\x1b["), "");
        assert_eq!(strip("x\x1b[0;3"), "x");
    }

    #[test]
    fn random_bytes_never_panic_and_runs_stay_in_bounds() {
        let mut x: u64 = 0xDEADBEEFCAFEF00D;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let bytes: Vec<u8> = (0..(x % 40)).map(|i| match (x >> (i % 60)) % 6 {
                0 => 0x1b,
                1 => b'[',
                2 => b';',
                3 => b'm',
                4 => b'0' + (i as u8 % 10),
                _ => b'a',
            }).collect();
            let s = parse(&String::from_utf8_lossy(&bytes));
            for r in &s.runs {
                assert!(r.start < r.end && r.end as usize <= s.text.len());
            }
        }
    }
}
