//! Python programs a schedule runs, and their tasks: a Django project's management commands
//! (`python manage.py NAME`, `django-admin NAME`, `python -m django NAME`) and the click, typer
//! and argparse subcommands of a script or module (`python jobs.py NAME`, `python -m app.cli
//! NAME`), also through `uv run`, `poetry run`, `pipenv run`, `pdm run`.
//!
//! The set is open: installed apps add Django commands (`rqworker`, `update_index`), click
//! groups load plugins. A name is unknown for certain only when it is one typo away from a
//! task the repository defines (DPL402), and a task no schedule runs may well be run by hand
//! (DPL401 is silent).

use super::Model;
use super::tasks::TaskSelector;
use crate::parse::pycli;
use crate::parse::shell::Word;
use crate::source::{Kind, Spanned, file_name, parent_dir};
use std::collections::BTreeSet;

/// A Python program, as a scheduled run names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Written {
    Django,
    /// A script's path (`/app/jobs.py`).
    Script(String),
    /// A module run with `-m` (`app.cli`).
    Module(String),
}

/// A Python program of the repository that runs tasks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PyTarget {
    /// The Django project: its management commands.
    Django,
    /// A script or module, by its repository path.
    File(String),
}

/// Django's own management commands (core and `django.contrib`) and the utility's own words.
pub const DJANGO_COMMANDS: &[&str] = &[
    "changepassword",
    "check",
    "clearsessions",
    "collectstatic",
    "compilemessages",
    "createcachetable",
    "createsuperuser",
    "dbshell",
    "diffsettings",
    "dumpdata",
    "findstatic",
    "flush",
    "help",
    "inspectdb",
    "loaddata",
    "makemessages",
    "makemigrations",
    "migrate",
    "ogrinspect",
    "optimizemigration",
    "ping_google",
    "remove_stale_contenttypes",
    "runserver",
    "sendtestemail",
    "shell",
    "showmigrations",
    "sqlflush",
    "sqlmigrate",
    "sqlsequencereset",
    "squashmigrations",
    "startapp",
    "startproject",
    "test",
    "testserver",
    "version",
];

fn is_python(name: &str) -> bool {
    let rest = name.strip_prefix("python").unwrap_or("-");
    rest.is_empty() || (rest.bytes().all(|b| b.is_ascii_digit() || b == b'.') && rest.starts_with(['2', '3']))
}

/// The Python program a run executes and the arguments after it; `None` when the run is no
/// Python program (or one given as `-c` code).
pub fn python_run<'a>(program: &str, args: &'a [Word]) -> Option<(Written, &'a [Word])> {
    let name = file_name(program);
    if matches!(name, "django-admin" | "django-admin.py") {
        return Some((Written::Django, args));
    }
    if matches!(name, "uv" | "poetry" | "pipenv" | "pdm") {
        // `uv run PROGRAM …` (options before the program may take values: not followed).
        let (first, rest) = args.split_first()?;
        let (p, a) = rest.split_first().filter(|_| first.text == "run")?;
        if p.text.starts_with('-') {
            return None;
        }
        return python_run(&p.text, a);
    }
    if !is_python(name) {
        return None;
    }
    let mut k = 0;
    while let Some(w) = args.get(k) {
        let t = w.text.as_str();
        match t {
            "-m" => {
                let m = args.get(k + 1)?;
                let rest = args.get(k + 2..)?;
                let written = if m.text == "django" { Written::Django } else { Written::Module(m.text.clone()) };
                return Some((written, rest));
            }
            "-W" | "-X" => k += 2,
            _ if t.starts_with("-c") || t.starts_with("-m") || t == "-" => return None,
            _ if t.starts_with('-') => k += 1,
            _ => {
                let rest = args.get(k + 1..)?;
                let written =
                    if file_name(t) == "manage.py" { Written::Django } else { Written::Script(t.to_string()) };
                return Some((written, rest));
            }
        }
    }
    None
}

/// Whether `word` is one typo away from `task` as a person types them: the same but for `-`
/// and `_` or case, or (for names of five or more characters) one edit or swap apart.
pub fn near_miss(word: &str, task: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    word != task
        && (norm(word) == norm(task)
            || (word.chars().count() >= 5 && strsim::osa_distance(&norm(word), &norm(task)) <= 1))
}

impl Model {
    /// The repository file a run's Python program is: the one file whose path ends with the
    /// longest tail of the written path (a container's `/app/jobs.py` is `backend/jobs.py`).
    pub(super) fn resolve_python(&self, written: &Written) -> Option<PyTarget> {
        let paths: Vec<String> = match written {
            Written::Django => return Some(PyTarget::Django),
            Written::Script(p) => vec![p.clone()],
            Written::Module(m) => {
                let rel = m.replace('.', "/");
                vec![format!("{rel}.py"), format!("{rel}/__main__.py")]
            }
        };
        for written in paths {
            let parts: Vec<&str> = written.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
            for n in (1..=parts.len()).rev() {
                let tail = parts.get(parts.len() - n..).unwrap_or(&[]).join("/");
                let found: Vec<&String> =
                    self.code.python.files.keys().filter(|p| **p == tail || p.ends_with(&format!("/{tail}"))).collect();
                match found.as_slice() {
                    [] => continue,
                    [one] => return Some(PyTarget::File((*one).clone())),
                    _ => return None,
                }
            }
        }
        None
    }

    /// The task selectors of the Python programs the schedules run.
    pub(super) fn python_selectors(&self) -> Vec<TaskSelector> {
        // Each program written once, resolved once.
        let written: BTreeSet<Written> =
            self.scheduled_runs.iter().filter_map(|r| python_run(&r.program, &r.args)).map(|(w, _)| w).collect();
        let targets: BTreeSet<PyTarget> = written.iter().filter_map(|w| self.resolve_python(w)).collect();
        let mut out = Vec::new();
        for target in targets {
            let (name, tasks, also) = match &target {
                PyTarget::Django => {
                    let tasks: Vec<Spanned<String>> = self
                        .sources
                        .iter()
                        .filter(|(_, f)| f.kind == Kind::Python && parent_dir(&f.path).ends_with("management/commands"))
                        .filter_map(|(id, f)| pycli::parse(id, &f.path, &f.text).django_command)
                        .collect();
                    ("manage.py".to_string(), tasks, DJANGO_COMMANDS.iter().map(|c| c.to_string()).collect())
                }
                PyTarget::File(path) => {
                    let mut files = self.code.python.reachable(path, parent_dir(path));
                    files.extend(self.code.python.reachable(path, ""));
                    let mut tasks: Vec<Spanned<String>> = Vec::new();
                    let mut seen: BTreeSet<String> = BTreeSet::new();
                    for f in &files {
                        let Some(id) = self.sources.find(f) else { continue };
                        for c in pycli::parse(id, f, self.sources.text(id)).commands {
                            if seen.insert(c.value.clone()) {
                                tasks.push(c);
                            }
                        }
                    }
                    (path.clone(), tasks, vec!["help".to_string()])
                }
            };
            if tasks.is_empty() {
                continue;
            }
            let mut tasks = tasks;
            tasks.sort_by_key(|t| (t.span.file, t.span.start));
            out.push(TaskSelector {
                binary: None,
                name,
                python: Some(target),
                flag: None,
                tasks,
                also,
                aliases: Vec::new(),
                default_scheduled: false,
                all_tasks_scheduled: false,
                open: true,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn words(s: &str) -> Vec<Word> {
        s.split_whitespace()
            .map(|w| Word { text: w.to_string(), span: Span::new(FileId(0), 0..0), quoted_inner: None, verbatim: true })
            .collect()
    }

    fn run(program: &str, args: &str) -> Option<(Written, Vec<String>)> {
        let a = words(args);
        python_run(program, &a).map(|(w, rest)| (w, rest.iter().map(|x| x.text.clone()).collect()))
    }

    #[test]
    fn python_programs() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            run("python", "manage.py expire_carts --days 3"),
            Some((Written::Django, s(&["expire_carts", "--days", "3"])))
        );
        assert_eq!(run("/venv/bin/python3.12", "-u /app/manage.py x"), Some((Written::Django, s(&["x"]))));
        assert_eq!(run("django-admin", "clearsessions"), Some((Written::Django, s(&["clearsessions"]))));
        assert_eq!(run("python3", "-m app.cli sync"), Some((Written::Module("app.cli".into()), s(&["sync"]))));
        assert_eq!(run("uv", "run python jobs.py sync"), Some((Written::Script("jobs.py".into()), s(&["sync"]))));
        assert_eq!(run("python", "-c print(1)"), None);
        assert_eq!(run("pythonista", "x.py"), None);
        assert_eq!(run("uv", "run --with x python jobs.py"), None);
    }

    #[test]
    fn typos() {
        assert!(near_miss("expire-carts", "expire_carts"));
        assert!(near_miss("expire_crats", "expire_carts"));
        assert!(near_miss("sync_user", "sync_users"));
        assert!(!near_miss("update_index", "update_indexes"));
        assert!(!near_miss("sync", "sink"));
        assert!(!near_miss("rollup", "rollup"));
    }
}
