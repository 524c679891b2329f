//! A reply's Markdown → styled, already-wrapped ratatui lines. pulldown-cmark
//! parses; this file only decides how each block looks at a given width:
//! headings, emphasis, inline code, fenced code blocks (unwrapped lines cut at
//! the edge, on the code background), bullet and numbered lists (wrapped
//! lines hang under the item's text), block quotes, rules and tables (columns
//! sized to their content, shrunk to fit, cells wrapped).
//!
//! The output is plain `Line<'static>`s whose count is known before drawing,
//! so the transcript can cache one message's lines per width and scroll by
//! line; while a reply streams only that message is rendered again.

use super::ai_wrap::{Styled, wrap_styled, width_of};
use crate::tui::theme::Theme;
use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The styles a reply is drawn with, taken from the theme once per frame.
#[derive(Debug, Clone, Copy)]
pub struct MdStyle {
    pub text: Style,
    pub heading: Style,
    pub code: Style,
    pub link: Style,
    pub muted: Style,
}

impl MdStyle {
    pub fn from_theme(t: &Theme) -> MdStyle {
        MdStyle {
            text: t.fg(t.fg),
            heading: t.title(),
            code: Style::default().fg(t.accent).bg(t.input_bg),
            link: t.fg(t.accent).add_modifier(Modifier::UNDERLINED),
            muted: t.muted(),
        }
    }
}

/// An open list: the next number (`None`: bullets) and the width of its
/// current item's marker, which its wrapped lines hang under.
struct List {
    next: Option<u64>,
    width: usize,
}

/// A table being read: rows of cells, each cell its styled characters.
#[derive(Default)]
struct Table {
    align: Vec<Alignment>,
    rows: Vec<Vec<Styled>>,
    head_rows: usize,
}

struct Renderer<'s> {
    st: &'s MdStyle,
    width: usize,
    out: Vec<Line<'static>>,
    /// The inline text of the block being read.
    cur: Styled,
    /// Emphasis, strong, links … active now, innermost last.
    inline: Vec<Style>,
    /// The lists open now, outermost first.
    lists: Vec<List>,
    /// The marker of an item whose first line is not out yet.
    marker: Option<String>,
    quote: usize,
    heading: Option<HeadingLevel>,
    code: Option<String>,
    table: Option<Table>,
}

/// Render `md` at `width` columns.
pub fn render(md: &str, width: u16, st: &MdStyle) -> Vec<Line<'static>> {
    let mut r = Renderer {
        st,
        width: usize::from(width.max(8)),
        out: Vec::new(),
        cur: Vec::new(),
        inline: Vec::new(),
        lists: Vec::new(),
        marker: None,
        quote: 0,
        heading: None,
        code: None,
        table: None,
    };
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for ev in Parser::new_ext(md, opts) {
        r.event(ev);
    }
    r.flush();
    if let Some(code) = r.code.take() {
        r.code_block(&code);
    }
    while r.out.last().is_some_and(|l| l.spans.is_empty()) {
        r.out.pop();
    }
    r.out
}

impl Renderer<'_> {
    fn style(&self) -> Style {
        self.inline.iter().fold(self.st.text, |a, s| a.patch(*s))
    }

    fn push_text(&mut self, text: &str, style: Style) {
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        self.cur.extend(text.chars().map(|c| (c, style)));
    }

    /// A blank line between blocks (not at the top, not twice, not inside a
    /// tight list).
    fn gap(&mut self) {
        if self.out.last().is_some_and(|l| !l.spans.is_empty()) && self.marker.is_none() {
            self.out.push(Line::default());
        }
    }

    /// The indent of wrapped lines: one level per open list and quote.
    fn indent(&self) -> String {
        let n: usize = self.lists.iter().map(|l| l.width).sum();
        "│ ".repeat(self.quote) + &" ".repeat(n)
    }

    /// Wrap the inline text read so far into lines, with the list marker or
    /// quote bar in front.
    fn flush(&mut self) {
        if self.cur.is_empty() && self.marker.is_none() {
            return;
        }
        let cur = std::mem::take(&mut self.cur);
        let rest = self.indent();
        let first = match self.marker.take() {
            Some(m) => {
                let outer: usize = self.lists.iter().rev().skip(1).map(|l| l.width).sum();
                format!("{}{}{m}", "│ ".repeat(self.quote), " ".repeat(outer))
            }
            None => rest.clone(),
        };
        let room = self.width.saturating_sub(width_of(&rest).max(width_of(&first))).max(4);
        for (i, row) in wrap_styled(&cur, room).into_iter().enumerate() {
            let lead = if i == 0 { &first } else { &rest };
            let mut spans = vec![Span::styled(lead.clone(), self.st.muted)];
            spans.extend(row);
            self.out.push(Line::from(spans));
        }
    }

    fn event(&mut self, ev: Event) {
        match ev {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                let style = self.style();
                self.push_text(&t, style);
            }
            Event::Code(t) => {
                let style = self.st.code;
                self.push_text(&t, style);
            }
            Event::SoftBreak => {
                let style = self.style();
                self.push_text(" ", style);
            }
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.flush();
                self.gap();
                self.out.push(Line::styled("─".repeat(self.width.min(40)), self.st.muted));
            }
            Event::TaskListMarker(done) => {
                let style = self.st.muted;
                self.push_text(if done { "[x] " } else { "[ ] " }, style);
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                let style = self.st.muted;
                self.push_text(&t, style);
            }
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                let style = self.style();
                self.push_text(&t, style);
            }
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph if self.marker.is_none() => self.gap(),
            Tag::Heading { level, .. } => {
                self.flush();
                self.gap();
                self.heading = Some(level);
                self.inline.push(self.st.heading);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.gap();
                self.quote += 1;
                self.inline.push(Style::default().add_modifier(Modifier::ITALIC));
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.gap();
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.split(',').next().unwrap_or("").trim().to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                if !lang.is_empty() {
                    self.out.push(Line::from(Span::styled(format!("{}{lang}", self.indent()), self.st.muted)));
                }
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                if self.lists.is_empty() {
                    self.gap();
                }
                self.lists.push(List { next: start, width: 2 });
            }
            Tag::Item => {
                self.flush();
                let Some(list) = self.lists.last_mut() else { return };
                let marker = match &mut list.next {
                    Some(n) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    None => "• ".to_string(),
                };
                // Wrapped lines hang under the item's text.
                list.width = width_of(&marker);
                self.marker = Some(marker);
            }
            Tag::Emphasis => self.inline.push(Style::default().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.inline.push(Style::default().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.inline.push(Style::default().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { .. } => self.inline.push(self.st.link),
            Tag::Table(align) => {
                self.flush();
                self.gap();
                self.table = Some(Table { align, ..Table::default() });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.cur.clear(),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.flush(),
            TagEnd::Heading(_) => {
                if self.heading.take() == Some(HeadingLevel::H1) {
                    for (_, s) in &mut self.cur {
                        *s = s.add_modifier(Modifier::UNDERLINED);
                    }
                }
                self.flush();
                self.inline.pop();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
                self.inline.pop();
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.code_block(&code);
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item => self.flush(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                self.inline.pop();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.cur);
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.head_rows = t.rows.len();
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    let lines = super::ai_table::render(&t.rows, &t.align, t.head_rows, self.width, self.st);
                    self.out.extend(lines);
                }
            }
            _ => {}
        }
    }

    /// Code keeps its lines: each is cut at the edge (marked `…`), never
    /// re-flowed, and drawn on the code background.
    fn code_block(&mut self, code: &str) {
        let lead = self.indent() + "  ";
        let room = self.width.saturating_sub(width_of(&lead)).max(4);
        for line in code.trim_end_matches('\n').split('\n') {
            let line = line.replace('\t', "    ");
            let text = if width_of(&line) > room { super::ai_wrap::cut(&line, room - 1) + "…" } else { line };
            let pad = room.saturating_sub(width_of(&text));
            self.out.push(Line::from(vec![
                Span::styled(lead.clone(), self.st.muted),
                Span::styled(format!("{text}{}", " ".repeat(pad)), self.st.code),
            ]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>().trim_end().to_string()).collect()
    }

    fn st() -> MdStyle {
        MdStyle::from_theme(&Theme::default())
    }

    #[test]
    fn paragraphs_wrap_at_the_width_and_keep_every_word() {
        let md = "The porch light is at **30 %** and the *kitchen* one is off; nothing else changed today.";
        let lines = render(md, 30, &st());
        let text = plain(&lines);
        assert!(text.iter().all(|l| width_of(l) <= 30), "{text:?}");
        assert_eq!(text.join(" ").split_whitespace().collect::<Vec<_>>(), md.replace("**", "").replace('*', "").split_whitespace().collect::<Vec<_>>());
        let bold = lines.iter().flat_map(|l| &l.spans).find(|s| s.content.contains("30")).unwrap();
        assert!(bold.style.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn lists_hang_wrapped_lines_under_the_text() {
        let md = "1. restart the Home Assistant deployment on the NAS\n2. show its logs\n\n- one\n  - nested item";
        let text = plain(&render(md, 24, &st()));
        assert_eq!(text[0], "1. restart the Home");
        assert_eq!(text[1], "   Assistant deployment");
        assert!(text.contains(&"2. show its logs".to_string()), "{text:?}");
        assert!(text.contains(&"• one".to_string()), "{text:?}");
        assert!(text.contains(&"  • nested item".to_string()), "{text:?}");
    }

    #[test]
    fn code_blocks_keep_their_lines_and_cut_at_the_edge() {
        let md = "Run:\n\n```sh\nsystemctl restart homeassistant-with-a-very-long-unit-name.service\nls\n```\n";
        let lines = render(md, 30, &st());
        let text = plain(&lines);
        assert_eq!(text[2], "sh");
        assert!(text[3].ends_with('…') && width_of(&text[3]) <= 30, "{text:?}");
        assert_eq!(text[4], "  ls");
        assert_eq!(lines[4].spans[1].style, st().code);
    }

    #[test]
    fn headings_quotes_and_rules() {
        let text = plain(&render("# Disk\n\n> careful\n\n---\n\nend", 40, &st()));
        assert_eq!(text, ["Disk", "", "│ careful", "", "────────────────────────────────────────", "", "end"]);
    }

    #[test]
    fn an_unclosed_fence_while_streaming_is_still_code() {
        let text = plain(&render("```\nfn main() {", 40, &st()));
        assert_eq!(text, ["  fn main() {"]);
    }

    #[test]
    fn any_width_renders_without_panicking() {
        let md = "# T\n\n| a | b |\n|---|--:|\n| 1 | 22 |\n\n- x\n\n```\ncode\n```\n> q\n\n日本語のテキスト **太字**";
        for w in 0..60 {
            let lines = render(md, w, &st());
            assert!(!lines.is_empty());
        }
    }
}
