//! The rolling context window: which earlier messages go with a question.
//! The newest messages are kept, up to `max_messages` and about
//! `max_tokens` (4 bytes a token, the usual rough rate for English and
//! JSON), and a tool answer is never sent without the call it answers.

use super::model::{Message, Role};

/// Rough token count of a text: a quarter of its bytes, at least 1.
pub fn approx_tokens(text: &str) -> usize {
    text.len().div_ceil(4).max(1)
}

fn message_tokens(m: &Message) -> usize {
    approx_tokens(&m.text) + m.tool_calls.iter().map(|c| approx_tokens(&c.arguments) + approx_tokens(&c.name)).sum::<usize>() + 4
}

/// The tail of `messages` that fits. The newest message is always kept.
pub fn window(messages: &[Message], max_messages: usize, max_tokens: usize) -> &[Message] {
    let mut start = messages.len();
    let mut tokens = 0;
    while start > 0 {
        let m = &messages[start - 1];
        let t = message_tokens(m);
        let kept = messages.len() - start;
        if kept > 0 && (kept >= max_messages || tokens + t > max_tokens) {
            break;
        }
        tokens += t;
        start -= 1;
    }
    // Never begin with tool answers whose call was cut off.
    while start < messages.len() && messages[start].role == Role::Tool {
        start += 1;
    }
    &messages[start..]
}

/// Where a summary should end so that what follows it fits `budget`:
/// `None` while `messages[covered..]` and the current summary fit. The
/// newest messages that fit half the budget are kept (room for the next
/// turns before summarising again); the split never leaves a tool answer
/// without its call, and at least the newest message stays.
pub fn summary_split(messages: &[Message], covered: usize, summary_tokens: usize, budget: usize) -> Option<usize> {
    let covered = covered.min(messages.len());
    let rest: usize = messages[covered..].iter().map(message_tokens).sum();
    if summary_tokens + rest <= budget {
        return None;
    }
    let keep = budget / 2;
    let mut start = messages.len();
    let mut tokens = 0;
    while start > covered + 1 {
        let t = message_tokens(&messages[start - 1]);
        if start < messages.len() && tokens + t > keep {
            break;
        }
        tokens += t;
        start -= 1;
    }
    while start < messages.len() && messages[start].role == Role::Tool {
        start += 1;
    }
    let start = start.min(messages.len() - 1);
    (start > covered).then_some(start)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn m(role: Role, text: &str) -> Message {
        Message::new(role, text)
    }

    #[test]
    fn keeps_the_newest_by_count_and_by_tokens() {
        let ms: Vec<Message> = (0..10).map(|i| m(if i % 2 == 0 { Role::User } else { Role::Assistant }, &format!("message {i}"))).collect();
        assert_eq!(window(&ms, 3, 10_000).len(), 3);
        assert_eq!(window(&ms, 3, 10_000)[2].text, "message 9");
        // each is 3 + 4 = 7 tokens: 20 tokens fit two
        assert_eq!(window(&ms, 100, 20).len(), 2);
        // the newest is kept even when it alone is too long
        let long = vec![m(Role::User, &"x".repeat(4000))];
        assert_eq!(window(&long, 5, 10).len(), 1);
    }

    #[test]
    fn a_summary_is_asked_for_only_past_the_budget_and_keeps_the_newest() {
        // Each message: 100 bytes = 25 tokens + 4.
        let ms: Vec<Message> = (0..10).map(|i| m(if i % 2 == 0 { Role::User } else { Role::Assistant }, &"x".repeat(100))).collect();
        assert_eq!(summary_split(&ms, 0, 0, 10_000), None);
        // 290 tokens over a budget of 200: keep the newest within 100 (3 messages).
        assert_eq!(summary_split(&ms, 0, 0, 200), Some(7));
        // Already summarised up to 7: what follows fits, nothing to do.
        assert_eq!(summary_split(&ms, 7, 50, 200), None);
        // The newest message always stays out of the summary.
        assert_eq!(summary_split(&ms[..2], 0, 0, 10), Some(1));
        let tool = vec![m(Role::User, &"q".repeat(400)), m(Role::Assistant, "calling"), m(Role::Tool, &"r".repeat(400)), m(Role::Assistant, "done")];
        assert_eq!(summary_split(&tool, 0, 0, 120), Some(3));
    }

    #[test]
    fn never_starts_with_an_orphan_tool_answer() {
        let ms = vec![m(Role::User, "q"), m(Role::Assistant, "calling"), m(Role::Tool, "result"), m(Role::Assistant, "done")];
        let w = window(&ms, 2, 10_000);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].text, "done");
    }
}
