//! The question bank: TOML files under `questions/<language>/`, one per topic, loaded and
//! validated once at start-up, with compiled rubrics, topic lookup and the self-checks of
//! `interview-bot questions lint`. The file format is documented in `docs/question-format.md`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::checker::{text, ConceptKind, ConceptSpec, Rubric};

/// A seniority tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Language mechanics.
    Junior,
    /// Efficiency and API design.
    Mid,
    /// Runtime internals, concurrency architecture, design trade-offs.
    Senior,
    /// Architecture across teams and services.
    Staff,
}

impl Tier {
    /// All tiers, junior first.
    pub const ALL: [Tier; 4] = [Tier::Junior, Tier::Mid, Tier::Senior, Tier::Staff];

    /// The canonical lower-case name, as written in question files.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Junior => "junior",
            Tier::Mid => "mid",
            Tier::Senior => "senior",
            Tier::Staff => "staff",
        }
    }

    /// Reads the words people use for a tier, any case: jr, junior, mid, middle, intermediate,
    /// sr, senior, staff, principal, lead. `None` for anything else.
    pub fn from_word(word: &str) -> Option<Tier> {
        match word.to_lowercase().as_str() {
            "jr" | "junior" | "entry" => Some(Tier::Junior),
            "mid" | "middle" | "intermediate" | "mid-level" => Some(Tier::Mid),
            "sr" | "senior" => Some(Tier::Senior),
            "staff" | "principal" | "lead" | "architect" => Some(Tier::Staff),
            _ => None,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Tier, String> {
        Tier::from_word(s).ok_or_else(|| {
            format!("unknown tier `{s}`: use junior, mid, senior or staff (or jr, sr, lead)")
        })
    }
}

/// A topic: what people type after `/ask`.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    /// The id, e.g. `gil`.
    pub id: String,
    /// Display name, e.g. "Global Interpreter Lock".
    pub name: String,
    /// Other names people type.
    pub aliases: Vec<String>,
    /// The language folder it came from, e.g. `python`.
    pub language: String,
    /// The file it was loaded from.
    pub file: PathBuf,
}

/// One rubric concept as written in a question file.
#[derive(Debug, Clone, Serialize)]
pub struct Concept {
    /// Short name.
    pub name: String,
    /// Weight ≥ 1.
    pub weight: u32,
    /// Definition or mechanism.
    pub kind: ConceptKind,
    /// Alternative phrases.
    pub phrases: Vec<String>,
    /// Guiding question shown when the concept is missed.
    pub hint: String,
    /// Known wrong claims; an answer stating one loses the concept and is told.
    pub misconceptions: Vec<String>,
}

/// An example answer that pins a question's rubric: `questions lint` checks that the checker
/// scores it within its bounds.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The answer, as a study-group member would write it.
    pub answer: String,
    /// The checker must score it at least this (0–100).
    pub min_score: Option<u8>,
    /// The checker must score it at most this (0–100).
    pub max_score: Option<u8>,
    /// What the example shows ("paraphrase, no rubric words").
    pub note: Option<String>,
}

/// A question with its compiled rubric.
#[derive(Debug, Clone)]
pub struct Question {
    /// Unique id across the bank.
    pub id: String,
    /// The topic id.
    pub topic: String,
    /// Tier.
    pub tier: Tier,
    /// The question text.
    pub prompt: String,
    /// The model answer (revealed when a post closes).
    pub reference_answer: String,
    /// Follow-up questions.
    pub follow_ups: Vec<String>,
    /// Seed files or public docs.
    pub sources: Vec<String>,
    /// The rubric concepts as written.
    pub concepts: Vec<Concept>,
    /// Example answers with the score bounds they pin.
    pub examples: Vec<Example>,
    /// The compiled rubric.
    pub rubric: Rubric,
    /// The file it was loaded from.
    pub file: PathBuf,
}

/// A problem in a question file: the file, the question (when known), the field (when known) and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankError {
    /// The file.
    pub file: PathBuf,
    /// The question id, when the problem is inside a question.
    pub question: Option<String>,
    /// The field, e.g. `tier` or `concepts[2].phrases`.
    pub field: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for BankError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(q) = &self.question {
            write!(f, ": question `{q}`")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for BankError {}

/// The set of errors found while loading a bank.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} problem(s) in the question bank:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct BankErrors(pub Vec<BankError>);

// ---- the file format (serde) ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    topic: TopicDoc,
    #[serde(default)]
    questions: Vec<QuestionDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicDoc {
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionDoc {
    id: String,
    tier: String,
    prompt: String,
    reference_answer: String,
    #[serde(default)]
    follow_ups: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    concepts: Vec<ConceptDoc>,
    #[serde(default)]
    examples: Vec<ExampleDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleDoc {
    answer: String,
    #[serde(default)]
    min_score: Option<u8>,
    #[serde(default)]
    max_score: Option<u8>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptDoc {
    name: String,
    #[serde(default = "one")]
    weight: u32,
    #[serde(default)]
    kind: Option<String>,
    phrases: Vec<String>,
    hint: String,
    #[serde(default)]
    misconceptions: Vec<String>,
}

fn one() -> u32 {
    1
}

/// The loaded bank.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    topics: Vec<Topic>,
    questions: Vec<Question>,
    by_id: HashMap<String, usize>,
    /// lower-case id or alias → topic index
    topic_names: HashMap<String, usize>,
}

/// What a topic lookup found.
#[derive(Debug, Clone)]
pub enum TopicLookup<'a> {
    /// Found this topic.
    Found(&'a Topic),
    /// Nothing close enough is known; these are the nearest topic ids, best first.
    Unknown(Vec<String>),
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Bank {
    /// Loads every `*.toml` file under `dir` (recursively; the first folder level below `dir`
    /// names the language). Collects every problem in every file before failing, each naming
    /// the file, question and field.
    pub fn load_dir(dir: &Path) -> Result<Bank, BankErrors> {
        let mut files = Vec::new();
        collect_toml(dir, &mut files).map_err(|e| {
            BankErrors(vec![BankError {
                file: dir.to_path_buf(),
                question: None,
                field: None,
                message: format!("cannot read the question folder: {e}"),
            }])
        })?;
        files.sort();
        if files.is_empty() {
            return Err(BankErrors(vec![BankError {
                file: dir.to_path_buf(),
                question: None,
                field: None,
                message: "no question files (*.toml) found; pass --questions DIR".into(),
            }]));
        }
        let mut sources = Vec::with_capacity(files.len());
        let mut errors = Vec::new();
        for file in files {
            match std::fs::read_to_string(&file) {
                Ok(text) => {
                    let language = file
                        .strip_prefix(dir)
                        .ok()
                        .and_then(|rel| rel.components().next())
                        .filter(|_| file.parent() != Some(dir))
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .unwrap_or_else(|| "python".into());
                    sources.push((file, language, text));
                }
                Err(e) => errors.push(BankError {
                    file,
                    question: None,
                    field: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        let refs: Vec<(&Path, &str, &str)> = sources
            .iter()
            .map(|(f, l, t)| (f.as_path(), l.as_str(), t.as_str()))
            .collect();
        match Bank::from_sources(&refs) {
            Ok(bank) if errors.is_empty() => Ok(bank),
            Ok(_) => Err(BankErrors(errors)),
            Err(BankErrors(more)) => {
                errors.extend(more);
                Err(BankErrors(errors))
            }
        }
    }

    /// Builds a bank from `(file name, language, TOML text)` triples (used by tests and by
    /// [`Bank::load_dir`]).
    pub fn from_sources(sources: &[(&Path, &str, &str)]) -> Result<Bank, BankErrors> {
        let mut bank = Bank::default();
        let mut errors = Vec::new();
        for &(file, language, text) in sources {
            match toml::from_str::<FileDoc>(text) {
                Ok(doc) => bank.add_file(file, language, doc, &mut errors),
                Err(e) => errors.push(toml_error(file, text, &e)),
            }
        }
        if errors.is_empty() {
            Ok(bank)
        } else {
            Err(BankErrors(errors))
        }
    }

    fn add_file(&mut self, file: &Path, language: &str, doc: FileDoc, errors: &mut Vec<BankError>) {
        let err = |question: Option<&str>, field: &str, message: String| BankError {
            file: file.to_path_buf(),
            question: question.map(str::to_string),
            field: Some(field.to_string()),
            message,
        };
        let topic = doc.topic;
        if !valid_id(&topic.id) {
            errors.push(err(
                None,
                "topic.id",
                format!(
                    "`{}` is not a valid id: use lower-case a-z, 0-9 and '-'",
                    topic.id
                ),
            ));
        }
        if topic.name.trim().is_empty() {
            errors.push(err(None, "topic.name", "must not be empty".into()));
        }
        let topic_index = self.topics.len();
        for (i, name) in std::iter::once(&topic.id).chain(&topic.aliases).enumerate() {
            let key = name.trim().to_lowercase();
            let field = if i == 0 {
                "topic.id".to_string()
            } else {
                format!("topic.aliases[{}]", i - 1)
            };
            if key.is_empty() {
                errors.push(err(None, &field, "must not be empty".into()));
                continue;
            }
            if self.topic_names.get(&key) == Some(&topic_index) {
                // This topic is not in `self.topics` yet: the name repeats its own id or alias.
                errors.push(err(
                    None,
                    &field,
                    format!("`{name}` is already this topic's id or alias: remove the repeat"),
                ));
            } else if let Some(&other) = self.topic_names.get(&key) {
                let other = &self.topics[other];
                errors.push(err(
                    None,
                    &field,
                    format!(
                        "`{name}` is already used by topic `{}` in {}",
                        other.id,
                        other.file.display()
                    ),
                ));
            } else {
                self.topic_names.insert(key, topic_index);
            }
        }
        if doc.questions.is_empty() {
            errors.push(err(None, "questions", "the topic has no questions".into()));
        }
        for q in doc.questions {
            let qid = q.id.clone();
            let qe = |field: &str, message: String| err(Some(&qid), field, message);
            if !valid_id(&q.id) {
                errors.push(qe(
                    "id",
                    "not a valid id: use lower-case a-z, 0-9 and '-'".into(),
                ));
            }
            if let Some(&other) = self.by_id.get(&q.id) {
                errors.push(qe(
                    "id",
                    format!(
                        "duplicate question id, also in {}",
                        self.questions[other].file.display()
                    ),
                ));
            }
            let tier = match q.tier.as_str() {
                "junior" => Some(Tier::Junior),
                "mid" => Some(Tier::Mid),
                "senior" => Some(Tier::Senior),
                "staff" => Some(Tier::Staff),
                other => {
                    errors.push(qe(
                        "tier",
                        format!("unknown tier `{other}`: use junior, mid, senior or staff"),
                    ));
                    None
                }
            };
            if q.prompt.trim().is_empty() {
                errors.push(qe("prompt", "must not be empty".into()));
            }
            if q.reference_answer.trim().is_empty() {
                errors.push(qe("reference_answer", "must not be empty".into()));
            }
            let mut concepts = Vec::with_capacity(q.concepts.len());
            for (i, c) in q.concepts.into_iter().enumerate() {
                let field = |f: &str| format!("concepts[{i}].{f}");
                if c.name.trim().is_empty() {
                    errors.push(qe(&field("name"), "must not be empty".into()));
                }
                if !(1..=5).contains(&c.weight) {
                    errors.push(qe(
                        &field("weight"),
                        format!("weight {} is out of range: use 1 to 5", c.weight),
                    ));
                }
                let kind = match c.kind.as_deref() {
                    None | Some("mechanism") => ConceptKind::Mechanism,
                    Some("definition") => ConceptKind::Definition,
                    Some(other) => {
                        errors.push(qe(
                            &field("kind"),
                            format!("unknown kind `{other}`: use \"mechanism\" or \"definition\""),
                        ));
                        ConceptKind::Mechanism
                    }
                };
                if c.phrases.is_empty() {
                    errors.push(qe(
                        &field("phrases"),
                        "empty: give at least one phrase that shows the concept".into(),
                    ));
                }
                for (j, p) in c.phrases.iter().enumerate() {
                    if text::tokenize(p).is_empty() {
                        errors.push(qe(
                            &format!("concepts[{i}].phrases[{j}]"),
                            "has no words".into(),
                        ));
                    }
                }
                if c.hint.trim().is_empty() {
                    errors.push(qe(&field("hint"), "must not be empty".into()));
                }
                concepts.push(Concept {
                    name: c.name,
                    weight: c.weight.max(1),
                    kind,
                    phrases: c.phrases,
                    hint: c.hint,
                    misconceptions: c.misconceptions,
                });
            }
            let Some(tier) = tier else { continue };
            let rubric = Rubric::for_question(
                concepts
                    .iter()
                    .map(|c| ConceptSpec {
                        name: c.name.clone(),
                        weight: c.weight,
                        kind: c.kind,
                        phrases: c.phrases.clone(),
                        hint: c.hint.clone(),
                        misconceptions: c.misconceptions.clone(),
                    })
                    .collect(),
                &q.prompt,
                &q.reference_answer,
            );
            let mut examples = Vec::with_capacity(q.examples.len());
            for (i, e) in q.examples.into_iter().enumerate() {
                let field = format!("examples[{i}]");
                if e.answer.trim().is_empty() {
                    errors.push(qe(&format!("{field}.answer"), "must not be empty".into()));
                }
                if e.min_score.is_none() && e.max_score.is_none() {
                    errors.push(qe(
                        &field,
                        "give min_score or max_score (0-100), e.g. min_score = 60 for a strong answer".into(),
                    ));
                }
                for (name, v) in [("min_score", e.min_score), ("max_score", e.max_score)] {
                    if v.is_some_and(|v| v > 100) {
                        errors.push(qe(&format!("{field}.{name}"), "must be 0 to 100".into()));
                    }
                }
                examples.push(Example {
                    answer: e.answer,
                    min_score: e.min_score,
                    max_score: e.max_score,
                    note: e.note,
                });
            }
            self.by_id.insert(q.id.clone(), self.questions.len());
            self.questions.push(Question {
                id: q.id,
                topic: topic.id.clone(),
                tier,
                prompt: q.prompt,
                reference_answer: q.reference_answer,
                follow_ups: q.follow_ups,
                sources: q.sources,
                concepts,
                examples,
                rubric,
                file: file.to_path_buf(),
            });
        }
        self.topics.push(Topic {
            id: topic.id,
            name: topic.name,
            aliases: topic.aliases,
            language: language.to_string(),
            file: file.to_path_buf(),
        });
    }

    /// All topics, in file order.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// All questions, in file order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.questions[i])
    }

    /// The topic with this id (exact).
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Questions matching the optional topic id and tier.
    pub fn filter(&self, topic: Option<&str>, tier: Option<Tier>) -> Vec<&Question> {
        self.questions
            .iter()
            .filter(|q| topic.is_none_or(|t| q.topic == t) && tier.is_none_or(|t| q.tier == t))
            .collect()
    }

    /// Looks a topic up by id or alias, any case, ignoring surrounding spaces. On a miss, returns
    /// up to three nearest ids by normalised Damerau–Levenshtein similarity (`strsim`) over ids
    /// and aliases, best first.
    pub fn lookup_topic(&self, name: &str) -> TopicLookup<'_> {
        let key = name.trim().to_lowercase();
        if let Some(&i) = self.topic_names.get(&key) {
            return TopicLookup::Found(&self.topics[i]);
        }
        TopicLookup::Unknown(self.nearest_topics(&key, 3))
    }

    /// Topic ids whose id or an alias is most similar to `key`, best first (for suggestions and
    /// autocomplete). A prefix match ranks above any fuzzy match.
    pub fn nearest_topics(&self, key: &str, n: usize) -> Vec<String> {
        let key = key.trim().to_lowercase();
        let mut best: HashMap<usize, f64> = HashMap::new();
        for (name, &i) in &self.topic_names {
            let mut sim = strsim::normalized_damerau_levenshtein(&key, name);
            if !key.is_empty() && name.starts_with(&key) {
                sim += 1.0;
            }
            let e = best.entry(i).or_insert(f64::MIN);
            if sim > *e {
                *e = sim;
            }
        }
        let mut ranked: Vec<(usize, f64)> = best.into_iter().collect();
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.topics[a.0].id.cmp(&self.topics[b.0].id))
        });
        ranked
            .into_iter()
            .take(n)
            .map(|(i, _)| self.topics[i].id.clone())
            .collect()
    }
}

/// The checker's curated synonym table in the question folder (see
/// [`crate::checker::synonyms`]): not a topic file.
pub const SYNONYMS_FILE: &str = "synonyms.toml";

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml")
            && path.file_name().is_some_and(|n| n != SYNONYMS_FILE)
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Turns a TOML/serde error into a [`BankError`] naming the question (found from the error's
/// position: the nearest `[[questions]]` table above it) and the field (from the message).
fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> BankError {
    let pos = e.span().map_or(0, |s| s.start);
    let before = &text[..pos.min(text.len())];
    let question = before.rfind("[[questions]]").and_then(|at| {
        text[at..].lines().skip(1).find_map(|line| {
            let line = line.trim();
            let rest = line.strip_prefix("id")?.trim_start().strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_string())
        })
    });
    let message = e.message().to_string();
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field"))
        .map(str::to_string);
    let line = before.lines().count().max(1);
    BankError {
        file: file.to_path_buf(),
        question,
        field,
        message: format!("line {line}: {message}"),
    }
}

pub mod custom;
mod embedded;
mod lint;

pub use crate::checker::GENERIC_WORDS;
pub use custom::{CustomQuestion, QuestionForm, CUSTOM_ID_PREFIX};
pub use embedded::EMBEDDED;
pub use lint::{limits, lint, lint_with, Rules};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_words() {
        assert_eq!(Tier::from_word("SR"), Some(Tier::Senior));
        assert_eq!(Tier::from_word("principal"), Some(Tier::Staff));
        assert_eq!(Tier::from_word("middle"), Some(Tier::Mid));
        assert!("guru".parse::<Tier>().is_err());
    }
}
