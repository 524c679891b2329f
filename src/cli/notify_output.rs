//! The human output of the notify verbs: the routes, the queue and the
//! dead-letter list as tables, one line for the rest.

use super::table::{self, age};
use crate::engine::NotifyOutcome;
use crate::engine::views::notify::Delivery;

impl super::output::Human for NotifyOutcome {
    fn human(&self) {
        print(self);
    }
}

const NO_WORKER: &str = "nothing delivers in this process: a running `homedeck daemon` (or an open console) sends what is queued";

fn print(o: &NotifyOutcome) {
    match o {
        NotifyOutcome::NotifyRoutes { routes, worker } => {
            if routes.is_empty() {
                println!("no notification routes — add [[notify.routes]] to config.toml (see the user guide, Notifications)");
                return;
            }
            let rows: Vec<Vec<String>> = routes
                .iter()
                .map(|r| {
                    let batch = if r.batch_secs == 0 { "-".to_string() } else { format!("{} s", r.batch_secs) };
                    vec![r.name.clone(), r.kind.as_str().into(), r.target.clone(), r.min_severity.as_str().into(), batch, r.queued.to_string(), r.dead.to_string()]
                })
                .collect();
            print!("{}", table::render(&["ROUTE", "KIND", "TARGET", "MIN SEVERITY", "BATCH", "QUEUED", "DEAD"], &rows));
            if !worker && routes.iter().any(|r| r.queued > 0) {
                println!("{NO_WORKER}");
            }
        }
        NotifyOutcome::NotifyQueue { queued, dead, worker } => {
            if queued.is_empty() {
                println!("queue: empty");
            } else {
                println!("queue:");
                print!("{}", table::render(&["ID", "ROUTE", "TITLE", "ATTEMPTS", "NEXT", "LAST ERROR"], &rows(queued, next)));
                if !worker {
                    println!("{NO_WORKER}");
                }
            }
            if dead.is_empty() {
                println!("dead-letter list: empty");
            } else {
                println!("dead-letter list (`homedeck notify retry ID` queues one again):");
                print!("{}", table::render(&["ID", "ROUTE", "TITLE", "ATTEMPTS", "GAVE UP", "LAST ERROR"], &rows(dead, |d| d.dead_at.map(age).unwrap_or_default())));
            }
        }
        NotifyOutcome::NotifyTested { .. } | NotifyOutcome::NotifyQueued { .. } | NotifyOutcome::NotifyRetried { .. } => println!("{}", o.summary()),
    }
}

fn next(d: &Delivery) -> String {
    let now = chrono::Utc::now();
    if d.next_at <= now {
        "now".into()
    } else {
        format!("in {} s", (d.next_at - now).num_seconds().max(1))
    }
}

fn rows(list: &[Delivery], when: impl Fn(&Delivery) -> String) -> Vec<Vec<String>> {
    list.iter()
        .map(|d| {
            let title: String = d.title().chars().take(40).collect();
            let err: String = d.last_error.as_deref().unwrap_or("-").chars().take(80).collect();
            vec![format!("#{}", d.id), d.route.clone(), title, d.attempts.to_string(), when(d), err]
        })
        .collect()
}
