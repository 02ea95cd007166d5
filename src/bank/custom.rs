//! A workspace's own questions in the bank's file format: loading a `.toml` file (or the fields
//! of `/question add`) with the bank's loader and the same self-checks ([`super::lint_with`] under
//! [`super::Rules::CUSTOM`]), and writing questions back as bank-format TOML (`/question export`).
//!
//! A question without concepts is scored in **reference mode**: its rubric is derived from the
//! reference answer ([`crate::checker::reference::rubric_from_reference`]), with word weights
//! from the bank's reference answers as the corpus (a word rare there weighs more).

use std::path::Path;

use serde::Serialize;

use super::{lint_with, Bank, BankError, BankErrors, Question, Rules, Tier, TopicLookup};
use crate::checker::reference::{rubric_from_reference, Idf};
use crate::checker::ConceptKind;

/// The prefix of a workspace's own question ids: `custom-<n>`, `n` the stored row id. Bank ids
/// may not start with it (`questions lint`), so the two never collide.
pub const CUSTOM_ID_PREFIX: &str = "custom-";

/// The language folder name given to custom questions (the bank's loader wants one).
const LANGUAGE: &str = "custom";

/// A custom question loaded and checked, ready to store.
#[derive(Debug, Clone)]
pub struct CustomQuestion {
    /// The question (its `id` is the file's until it is stored as `custom-<n>`; its `topic` a
    /// bank topic's id when the file's topic id or name is one, so `/ask gil` finds it).
    pub question: Question,
    /// The topic's display name.
    pub topic_name: String,
    /// The question alone as a bank-format TOML file (what the store keeps).
    pub doc: String,
}

/// The fields of `/question add` and `/question suggest`, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionForm {
    /// The question text.
    pub prompt: String,
    /// A tier word (`junior`, `mid`, `sr`, ...).
    pub tier: String,
    /// A topic: a bank topic's id or alias, or a new topic's name.
    pub topic: String,
    /// The model answer (the rubric is derived from it).
    pub reference: String,
    /// An optional follow-up question.
    pub follow_up: Option<String>,
}

/// Turns a topic name into an id: lower-case ASCII letters and digits, other runs become `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Loads the custom questions of one bank-format file: the bank's loader, then the self-checks
/// under [`Rules::CUSTOM`]. `file` names the file in errors (each names the file, question and
/// field). A topic whose id or name is one of `bank`'s topics (id or alias) becomes that topic.
///
/// Errors: every problem found, as the bank reports them.
pub fn load_file(file: &str, text: &str, bank: &Bank) -> Result<Vec<CustomQuestion>, BankErrors> {
    let loaded = Bank::from_sources(&[(Path::new(file), LANGUAGE, text)])?;
    let loaded = with_reference_rubrics(loaded, bank);
    let errors = lint_with(&loaded, &Rules::CUSTOM);
    if !errors.is_empty() {
        return Err(BankErrors(errors));
    }
    let Some(topic) = loaded.topics().first() else {
        return Ok(Vec::new());
    };
    let (topic_id, topic_name) = match bank
        .lookup_topic(&topic.id)
        .found()
        .or_else(|| bank.lookup_topic(&topic.name).found())
    {
        Some(t) => (t.id.clone(), t.name.clone()),
        None => (topic.id.clone(), topic.name.clone()),
    };
    Ok(loaded
        .questions
        .into_iter()
        .map(|mut q| {
            q.topic = topic_id.clone();
            let doc = to_toml(&topic_id, &topic_name, &[(&q.id, &q)]);
            CustomQuestion {
                question: q,
                topic_name: topic_name.clone(),
                doc,
            }
        })
        .collect())
}

/// Checks the fields of `/question add` as a one-question file named `file` (the same loader and
/// checks as an import; the question is scored in reference mode).
///
/// Errors: as [`load_file`] (e.g. an unknown tier names the field `tier`).
pub fn load_form(
    file: &str,
    form: &QuestionForm,
    bank: &Bank,
) -> Result<CustomQuestion, BankErrors> {
    let tier = Tier::from_word(form.tier.trim())
        .map_or_else(|| form.tier.trim().to_string(), |t| t.to_string());
    let (topic_id, topic_name) = match bank.lookup_topic(&form.topic).found() {
        Some(t) => (t.id.clone(), t.name.clone()),
        None => (slug(&form.topic), form.topic.trim().to_string()),
    };
    let doc = FileOut {
        topic: TopicOut {
            id: &topic_id,
            name: &topic_name,
        },
        questions: vec![QuestionOut {
            id: "question",
            tier: &tier,
            prompt: form.prompt.trim(),
            reference_answer: form.reference.trim(),
            follow_ups: form
                .follow_up
                .iter()
                .map(|f| f.trim())
                .filter(|f| !f.is_empty())
                .collect(),
            sources: Vec::new(),
            concepts: Vec::new(),
            examples: Vec::new(),
        }],
    };
    let text = toml::to_string(&doc).map_err(|e| {
        BankErrors(vec![BankError {
            file: file.into(),
            question: None,
            field: None,
            message: format!("could not be written as TOML: {e}"),
        }])
    })?;
    let mut loaded = load_file(file, &text, bank)?;
    loaded.pop().ok_or_else(|| {
        BankErrors(vec![BankError {
            file: file.into(),
            question: None,
            field: None,
            message: "no question in the form".into(),
        }])
    })
}

/// Loads a stored custom question (a one-question file written by [`load_file`]) as
/// `custom-<n>` of `topic`, without the self-checks (they ran when it was stored).
///
/// Errors: the stored text no longer loads (a corrupt row).
pub fn load_stored(n: i64, topic: &str, doc: &str, bank: &Bank) -> Result<Question, BankErrors> {
    let file = format!("{CUSTOM_ID_PREFIX}{n}");
    let loaded = Bank::from_sources(&[(Path::new(&file), LANGUAGE, doc)])?;
    let loaded = with_reference_rubrics(loaded, bank);
    let mut q = loaded.questions.into_iter().next().ok_or_else(|| {
        BankErrors(vec![BankError {
            file: file.clone().into(),
            question: None,
            field: None,
            message: "the stored question is missing".into(),
        }])
    })?;
    q.id = file;
    q.topic = topic.to_string();
    Ok(q)
}

/// Replaces the rubric of every question without concepts by one derived from its reference
/// answer (reference mode), word weights from `corpus`'s reference answers.
fn with_reference_rubrics(mut loaded: Bank, corpus: &Bank) -> Bank {
    if loaded.questions.iter().all(|q| !q.concepts.is_empty()) {
        return loaded;
    }
    let idf = Idf::from_texts(
        corpus
            .questions()
            .iter()
            .map(|q| q.reference_answer.as_str()),
    );
    for q in loaded
        .questions
        .iter_mut()
        .filter(|q| q.concepts.is_empty())
    {
        q.rubric = rubric_from_reference(&q.reference_answer, &q.prompt, &idf);
    }
    loaded
}

impl<'a> TopicLookup<'a> {
    fn found(self) -> Option<&'a super::Topic> {
        match self {
            TopicLookup::Found(t) => Some(t),
            TopicLookup::Unknown(_) => None,
        }
    }
}

/// Writes questions of one topic as a bank-format TOML file (the format of
/// `docs/question-format.md`), each under the id given beside it. Questions in reference mode
/// have no `concepts`.
pub fn to_toml(topic_id: &str, topic_name: &str, questions: &[(&str, &Question)]) -> String {
    let doc = FileOut {
        topic: TopicOut {
            id: topic_id,
            name: topic_name,
        },
        questions: questions
            .iter()
            .map(|(id, q)| QuestionOut {
                id,
                tier: q.tier.as_str(),
                prompt: &q.prompt,
                reference_answer: &q.reference_answer,
                follow_ups: q.follow_ups.iter().map(String::as_str).collect(),
                sources: q.sources.iter().map(String::as_str).collect(),
                concepts: q
                    .concepts
                    .iter()
                    .map(|c| ConceptOut {
                        name: &c.name,
                        weight: c.weight,
                        kind: (c.kind == ConceptKind::Definition).then_some("definition"),
                        phrases: c.phrases.iter().map(String::as_str).collect(),
                        hint: &c.hint,
                        misconceptions: c.misconceptions.iter().map(String::as_str).collect(),
                    })
                    .collect(),
                examples: q
                    .examples
                    .iter()
                    .map(|e| ExampleOut {
                        answer: &e.answer,
                        min_score: e.min_score,
                        max_score: e.max_score,
                        note: e.note.as_deref(),
                    })
                    .collect(),
            })
            .collect(),
    };
    // Plain strings, numbers and tables: serialising them cannot fail.
    toml::to_string(&doc).unwrap_or_default()
}

#[derive(Serialize)]
struct FileOut<'a> {
    topic: TopicOut<'a>,
    questions: Vec<QuestionOut<'a>>,
}

#[derive(Serialize)]
struct TopicOut<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct QuestionOut<'a> {
    id: &'a str,
    tier: &'a str,
    prompt: &'a str,
    reference_answer: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    follow_ups: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sources: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    concepts: Vec<ConceptOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    examples: Vec<ExampleOut<'a>>,
}

#[derive(Serialize)]
struct ConceptOut<'a> {
    name: &'a str,
    weight: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    phrases: Vec<&'a str>,
    hint: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    misconceptions: Vec<&'a str>,
}

#[derive(Serialize)]
struct ExampleOut<'a> {
    answer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_score: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_score: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("  Team Process & Reviews "), "team-process-reviews");
        assert_eq!(slug("GIL"), "gil");
    }

    #[test]
    fn a_form_round_trips_through_toml() {
        let bank = Bank::default();
        let form = QuestionForm {
            prompt: "Why do we squash commits before merging?".into(),
            tier: "sr".into(),
            topic: "Team Process".into(),
            reference: "Squashing keeps the main branch history linear and readable, one commit per reviewed change, so bisecting finds the change that broke the build.".into(),
            follow_up: Some("When would you keep the commits?".into()),
        };
        let q = load_form("form", &form, &bank).unwrap();
        assert_eq!(q.question.tier, Tier::Senior);
        assert_eq!(q.question.topic, "team-process");
        assert!(q.question.concepts.is_empty());
        assert!(q.question.rubric.concepts().count() > 5);
        let again = load_file("again.toml", &q.doc, &bank).unwrap();
        assert_eq!(again[0].question.prompt, form.prompt);
        assert_eq!(again[0].doc, q.doc);
        let short = QuestionForm {
            reference: "Linear history.".into(),
            ..form
        };
        let e = load_form("form", &short, &bank).unwrap_err();
        assert_eq!(e.0[0].field.as_deref(), Some("reference_answer"), "{e}");
    }
}
