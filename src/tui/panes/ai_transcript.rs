//! The conversation as the pane shows it: the operator's messages, the
//! replies (Markdown), proposal cards and notices, each rendered once per
//! width and cached. A streamed token appends to the last reply and drops
//! only that entry's cache, so a long transcript costs one message's
//! re-render per frame while a reply streams, and drawing takes just the
//! lines on screen (counted from the bottom, which follows new text unless
//! the operator scrolled up).

use super::ai_card::{self, ProposalView};
use crate::engine::views::ai::ActionStatus;
use super::ai_markdown::{self, MdStyle};
use super::ai_wrap::{styled, wrap_styled};
use crate::tui::theme::Theme;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    User(String),
    Reply { text: String, streaming: bool },
    Proposal(Box<ProposalView>),
    Notice { text: String, error: bool },
}

#[derive(Default)]
pub struct Transcript {
    entries: Vec<Entry>,
    /// Per entry: the width it was rendered at and its lines.
    cache: Vec<Option<(u16, Vec<Line<'static>>)>>,
    /// Lines scrolled up from the bottom (0: follow new text).
    pub scroll: usize,
    /// The proposal keys act on (an index into `entries`).
    pub selected: Option<usize>,
    /// The proposal whose whole diff is open (`d`).
    pub full_diff: Option<usize>,
    /// Visible rows last frame, for paging.
    pub page: usize,
    /// Bring the selected card on screen at the next frame.
    pub reveal: bool,
}

impl Transcript {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        *self = Transcript::default();
    }

    fn push(&mut self, e: Entry) {
        self.entries.push(e);
        self.cache.push(None);
    }

    fn dirty(&mut self, i: usize) {
        if let Some(c) = self.cache.get_mut(i) {
            *c = None;
        }
    }

    pub fn user(&mut self, text: &str) {
        self.finish();
        self.push(Entry::User(text.to_string()));
    }

    pub fn notice(&mut self, text: impl Into<String>, error: bool) {
        self.finish();
        self.push(Entry::Notice { text: text.into(), error });
    }

    /// A streamed piece of the reply: appended to the reply streaming now,
    /// or the start of a new one.
    pub fn token(&mut self, piece: &str) {
        let last = self.entries.len().wrapping_sub(1);
        if let Some(Entry::Reply { text, streaming: true }) = self.entries.last_mut() {
            text.push_str(piece);
            self.dirty(last);
            return;
        }
        self.push(Entry::Reply { text: piece.to_string(), streaming: true });
    }

    /// A whole reply (a resumed conversation, or the final text of a
    /// streamed one, which replaces what streamed).
    pub fn reply(&mut self, full: &str) {
        let last = self.entries.len().wrapping_sub(1);
        if let Some(Entry::Reply { text, streaming }) = self.entries.last_mut()
            && *streaming
        {
            *text = full.to_string();
            *streaming = false;
            self.dirty(last);
            return;
        }
        self.push(Entry::Reply { text: full.to_string(), streaming: false });
    }

    /// The reply stopped streaming (done, stopped or failed).
    pub fn finish(&mut self) {
        let last = self.entries.len().wrapping_sub(1);
        if let Some(Entry::Reply { streaming, .. }) = self.entries.last_mut()
            && *streaming
        {
            *streaming = false;
            self.dirty(last);
        }
    }

    pub fn streaming(&self) -> bool {
        matches!(self.entries.last(), Some(Entry::Reply { streaming: true, .. }))
    }

    /// A new proposal, or a new state of one already shown (same id). A
    /// new proposal waiting for an answer becomes the selected one.
    pub fn proposal(&mut self, mut p: ProposalView) {
        if let Some(i) = self.entries.iter().position(|e| matches!(e, Entry::Proposal(q) if q.id == p.id)) {
            // A reload of a card still running keeps what the events said.
            if let Entry::Proposal(old) = &self.entries[i]
                && p.status == ActionStatus::Running
            {
                p.started = p.started.or(old.started);
                p.elapsed = p.elapsed.or(old.elapsed);
                p.progress = p.progress.take().or_else(|| old.progress.clone());
            }
            self.entries[i] = Entry::Proposal(Box::new(p));
            self.dirty(i);
            return;
        }
        self.finish();
        let waiting = p.status == ActionStatus::Proposed;
        self.push(Entry::Proposal(Box::new(p)));
        if waiting || self.selected.is_none() {
            self.selected = Some(self.entries.len() - 1);
        }
    }

    /// Select the card of action `id`, if shown.
    pub fn select_id(&mut self, id: u64) {
        if let Some(i) = self.entries.iter().position(|e| matches!(e, Entry::Proposal(q) if q.id == id)) {
            for j in [self.selected, Some(i)].into_iter().flatten() {
                self.dirty(j);
            }
            self.selected = Some(i);
            self.reveal = true;
        }
    }

    /// A card's new status (an event); `false` if the card is not shown.
    pub fn set_status(&mut self, id: u64, status: ActionStatus) -> bool {
        let Some(i) = self.entries.iter().position(|e| matches!(e, Entry::Proposal(q) if q.id == id)) else { return false };
        if let Entry::Proposal(p) = &mut self.entries[i] {
            p.status = status;
            if status != ActionStatus::Running {
                p.progress = None;
            }
        }
        self.dirty(i);
        true
    }

    /// A confirmed action began to run at `at`.
    pub fn started(&mut self, id: u64, at: chrono::DateTime<chrono::Utc>) -> bool {
        let Some(i) = self.find(id) else { return false };
        if let Entry::Proposal(p) = &mut self.entries[i] {
            p.status = ActionStatus::Running;
            p.started = Some(at);
            p.elapsed = None;
            p.progress = None;
        }
        self.dirty(i);
        true
    }

    /// A running action's newest progress line.
    pub fn progress(&mut self, id: u64, line: String) -> bool {
        let Some(i) = self.find(id) else { return false };
        if let Entry::Proposal(p) = &mut self.entries[i] {
            p.progress = Some(line);
        }
        self.dirty(i);
        true
    }

    /// Bring the running cards' elapsed time to `now`; only a card whose
    /// shown second changed is drawn again.
    pub fn tick(&mut self, now: chrono::DateTime<chrono::Utc>) {
        for i in 0..self.entries.len() {
            let Entry::Proposal(p) = &mut self.entries[i] else { continue };
            let (ActionStatus::Running, Some(at)) = (p.status, p.started) else { continue };
            let secs = Some((now - at).num_seconds().max(0) as u64);
            if p.elapsed != secs {
                p.elapsed = secs;
                self.dirty(i);
            }
        }
    }

    fn find(&self, id: u64) -> Option<usize> {
        self.entries.iter().position(|e| matches!(e, Entry::Proposal(q) if q.id == id))
    }

    pub fn selected_proposal(&self) -> Option<&ProposalView> {
        match self.selected.and_then(|i| self.entries.get(i)) {
            Some(Entry::Proposal(p)) => Some(p),
            _ => None,
        }
    }

    /// The latest proposal with a given status (what `y` acts on when the
    /// selection moved elsewhere).
    pub fn proposals(&self) -> impl DoubleEndedIterator<Item = (usize, &ProposalView)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| match e {
            Entry::Proposal(p) => Some((i, p.as_ref())),
            _ => None,
        })
    }

    /// Move the selection to the previous (`back`) or next proposal.
    pub fn select_step(&mut self, back: bool) {
        let ids: Vec<usize> = self.proposals().map(|(i, _)| i).collect();
        let pos = self.selected.and_then(|s| ids.iter().position(|i| *i == s));
        let next = match (pos, back) {
            (None, _) => ids.last().copied(),
            (Some(p), true) => ids.get(p.saturating_sub(1)).copied(),
            (Some(p), false) => ids.get(p + 1).copied().or(ids.last().copied()),
        };
        if next != self.selected {
            for i in [self.selected, next].into_iter().flatten() {
                self.dirty(i);
            }
            self.selected = next;
        }
        self.reveal = true;
    }

    pub fn toggle_diff(&mut self) -> bool {
        let Some(i) = self.selected else { return false };
        self.full_diff = if self.full_diff == Some(i) { None } else { Some(i) };
        self.dirty(i);
        true
    }

    fn render_entry(&self, i: usize, width: u16, theme: &Theme, md: &MdStyle) -> Vec<Line<'static>> {
        let w = usize::from(width.max(4));
        let Some(e) = self.entries.get(i) else { return Vec::new() };
        match e {
            Entry::User(text) => {
                let style = theme.fg(theme.title).add_modifier(Modifier::BOLD);
                let mut chars = styled("› ", theme.fg(theme.accent));
                chars.extend(styled(text, style));
                wrap_styled(&chars, w).into_iter().map(Line::from).collect()
            }
            Entry::Reply { text, streaming } => {
                let mut lines = ai_markdown::render(text, width, md);
                if *streaming {
                    // The cursor after the text, or under it when the last
                    // line is full (a code line is padded to the width).
                    match lines.last_mut().filter(|l| l.width() + 2 <= w) {
                        Some(l) => l.spans.push(Span::styled(" ▍", theme.fg(theme.accent))),
                        None => lines.push(Line::styled("▍", theme.fg(theme.accent))),
                    }
                }
                lines
            }
            Entry::Proposal(p) => ai_card::lines(p, width, theme, self.selected == Some(i), self.full_diff == Some(i)),
            Entry::Notice { text, error } => {
                let style = if *error { theme.fg(theme.error) } else { theme.muted() };
                wrap_styled(&styled(text, style), w).into_iter().map(Line::from).collect()
            }
        }
    }

    /// Make sure every entry is rendered at `width` (only stale ones are redone).
    fn layout(&mut self, width: u16, theme: &Theme) {
        let md = MdStyle::from_theme(theme);
        for i in 0..self.entries.len() {
            if self.cache[i].as_ref().is_some_and(|(w, _)| *w == width) {
                continue;
            }
            let lines = self.render_entry(i, width, theme, &md);
            self.cache[i] = Some((width, lines));
        }
    }

    /// Total rendered lines at `width` (with one blank line between entries).
    pub fn total_lines(&mut self, width: u16, theme: &Theme) -> usize {
        self.layout(width, theme);
        let n: usize = self.cache.iter().flatten().map(|(_, l)| l.len()).sum();
        n + self.entries.len().saturating_sub(1)
    }

    /// The `height` lines on screen: the bottom of the transcript, moved up
    /// by `scroll` (clamped so the top stays reachable, never past it).
    pub fn visible(&mut self, width: u16, height: usize, theme: &Theme) -> Vec<Line<'static>> {
        let total = self.total_lines(width, theme);
        self.page = height;
        if std::mem::take(&mut self.reveal) {
            self.reveal_selected();
        }
        self.scroll = self.scroll.min(total.saturating_sub(height));
        let mut skip = self.scroll;
        let mut rev: Vec<Line<'static>> = Vec::with_capacity(height);
        'outer: for (i, c) in self.cache.iter().enumerate().rev() {
            let Some((_, lines)) = c else { continue };
            let gap = usize::from(i + 1 < self.entries.len());
            for l in std::iter::repeat_n(&Line::default(), gap).chain(lines.iter().rev()) {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                rev.push(l.clone());
                if rev.len() == height {
                    break 'outer;
                }
            }
        }
        rev.reverse();
        rev
    }

    /// Scroll by `rows` (positive: up, into older text).
    pub fn scroll_by(&mut self, rows: isize) {
        self.scroll = self.scroll.saturating_add_signed(rows);
    }

    /// Put the selected proposal's card on screen (laid out already).
    fn reveal_selected(&mut self) {
        let Some(sel) = self.selected else { return };
        let below: usize = self.cache.iter().skip(sel + 1).flatten().map(|(_, l)| l.len() + 1).sum();
        let own = self.cache.get(sel).and_then(|c| c.as_ref()).map_or(0, |(_, l)| l.len());
        let page = self.page.max(1);
        if self.scroll > below || self.scroll + page < below + own {
            self.scroll = below.saturating_sub(page.saturating_sub(own.min(page)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>().trim_end().to_string()).collect()
    }

    #[test]
    fn tokens_stream_into_one_reply_and_only_it_is_redrawn() {
        let t = Theme::default();
        let mut tr = Transcript::default();
        tr.user("which servers are low on disk?");
        tr.total_lines(40, &t);
        for piece in ["Two ", "servers: ", "**nas** and pi4."] {
            tr.token(piece);
            assert!(tr.cache[0].is_some(), "the user's line stays cached");
        }
        assert!(tr.streaming());
        let lines = tr.visible(40, 10, &t);
        assert_eq!(text(&lines), ["› which servers are low on disk?", "", "Two servers: nas and pi4. ▍"]);
        tr.finish();
        assert_eq!(text(&tr.visible(40, 10, &t))[2], "Two servers: nas and pi4.");
    }

    #[test]
    fn the_bottom_follows_and_scrolling_stops_at_the_top() {
        let t = Theme::default();
        let mut tr = Transcript::default();
        for i in 0..20 {
            tr.notice(format!("line {i}"), false);
        }
        assert_eq!(text(&tr.visible(40, 3, &t)), ["line 18", "", "line 19"]);
        tr.scroll_by(1000);
        assert_eq!(text(&tr.visible(40, 3, &t)), ["line 0", "", "line 1"]);
    }
}
