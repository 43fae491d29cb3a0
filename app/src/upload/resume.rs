//! What one chosen photo still needs, from what is known of it: the rule that lets a batch go
//! on after a reload, a crash or a night's sleep without shrinking, sending or registering
//! anything twice. The runner asks [`next_step`] before each step and records each step's
//! result in the [`Progress`], which the browser's journal keeps across reloads.

use domain::{ContentType, Sha256, Variant};
use serde::{Deserialize, Serialize};

use crate::api::{DeclaredObject, SignedUpload, UploadTicket};

/// A journal entry older than this belongs to a batch nobody came back to; it is deleted. A
/// day covers a laptop closed overnight.
pub const ABANDONED_AFTER_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;
/// A signed upload is only used with at least this much of its lifetime left: a photo sent
/// at the last second would be refused half-way.
const SEND_MARGIN_MS: f64 = 60_000.0;
/// The same for completing: the server's check of the stored objects must fit in.
const COMPLETE_MARGIN_MS: f64 = 30_000.0;

/// Everything known of one chosen photo's upload except its bytes (the journal keeps the
/// original file and the encoded variants beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub product_id: i64,
    pub name: String,
    /// When it was chosen (ms since the epoch, the browser's clock).
    pub chosen_ms: f64,
    /// What the photo worker made, largest first; empty until the photo is shrunk.
    pub variants: Vec<Made>,
    /// The signed uploads in use, once asked for.
    pub ticket: Option<Signed>,
}

/// One encoded variant, without its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Made {
    pub variant: Variant,
    pub content_type: ContentType,
    pub size: u64,
    pub sha256: Sha256,
}

/// A ticket, when it arrived, and which of its uploads went through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signed {
    pub ticket: UploadTicket,
    /// The browser's clock when the ticket arrived: lifetimes are counted from here, so a
    /// browser whose clock differs from the server's still counts right.
    pub received_ms: f64,
    pub sent: Vec<Variant>,
}

/// The next thing to do for one photo.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Neither the photo nor what was made of it can be read any more: the seller must choose
    /// it again.
    Unreadable,
    /// Shrink the photo.
    Process,
    /// Ask for signed uploads: none yet, or the old ones ran out (`release` names their
    /// intent, so what was sent under it is deleted now rather than by gc later).
    Begin { release: Option<String> },
    /// Send this variant with this signed upload.
    Send { upload: SignedUpload },
    /// Everything is stored: let the server verify and register it (again is harmless).
    Complete { intent_id: String },
}

impl Progress {
    /// Reads a journal record. One written by an older Vitrine (its variants lacked a field
    /// this one needs) keeps the photo's name and product and forgets the rest: the photo is
    /// made again from the kept file, or listed as one to choose again, never silently lost.
    pub fn from_journal(json: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Essentials {
            product_id: i64,
            name: String,
            chosen_ms: f64,
        }
        serde_json::from_str(json).ok().or_else(|| {
            let e: Essentials = serde_json::from_str(json).ok()?;
            Some(Self::new(e.product_id, e.name, e.chosen_ms))
        })
    }

    pub fn new(product_id: i64, name: String, chosen_ms: f64) -> Self {
        Self {
            product_id,
            name,
            chosen_ms,
            variants: Vec::new(),
            ticket: None,
        }
    }

    /// What the browser declares when asking for signed uploads.
    pub fn declared(&self) -> Vec<DeclaredObject> {
        self.variants
            .iter()
            .map(|m| DeclaredObject {
                variant: m.variant,
                content_type: m.content_type,
                size: m.size,
                sha256: m.sha256,
            })
            .collect()
    }

    /// Bytes in all variants, and in those already sent: the progress bar's fraction.
    pub fn bytes(&self) -> (u64, u64) {
        let total = self.variants.iter().map(|m| m.size).sum();
        let sent = self.ticket.as_ref().map_or(0, |signed| {
            self.variants
                .iter()
                .filter(|m| signed.sent.contains(&m.variant))
                .map(|m| m.size)
                .sum()
        });
        (total, sent)
    }

    pub fn keep_variants(&mut self, made: Vec<Made>) {
        self.variants = made;
        self.ticket = None;
    }

    pub fn keep_ticket(&mut self, ticket: UploadTicket, now_ms: f64) {
        self.ticket = Some(Signed {
            ticket,
            received_ms: now_ms,
            sent: Vec::new(),
        });
    }

    pub fn mark_sent(&mut self, variant: Variant) {
        if let Some(signed) = &mut self.ticket
            && !signed.sent.contains(&variant)
        {
            signed.sent.push(variant);
        }
    }

    /// Forgets the signed uploads (their intent was released).
    pub fn drop_ticket(&mut self) -> Option<String> {
        self.ticket.take().map(|signed| signed.ticket.intent_id)
    }

    pub fn is_abandoned(&self, now_ms: f64) -> bool {
        now_ms - self.chosen_ms > ABANDONED_AFTER_MS
    }
}

/// The next step for `progress`. `has_original`: the chosen file can still be read (it is
/// only needed until the photo is shrunk; the journal drops it then, so a resumed upload can
/// never send the full-size original).
pub fn next_step(progress: &Progress, has_original: bool, now_ms: f64) -> Step {
    if progress.variants.is_empty() {
        return if has_original {
            Step::Process
        } else {
            Step::Unreadable
        };
    }
    let Some(signed) = &progress.ticket else {
        return Step::Begin { release: None };
    };
    let release = || Step::Begin {
        release: Some(signed.ticket.intent_id.clone()),
    };
    // A clock that went backwards says nothing about the ticket's age: start again.
    let age_ms = now_ms - signed.received_ms;
    if age_ms < 0.0 {
        return release();
    }
    let unsent = progress
        .variants
        .iter()
        .find(|m| !signed.sent.contains(&m.variant));
    match unsent {
        Some(made) => {
            let lifetime = f64::from(signed.ticket.send_within_secs) * 1000.0;
            let margin = SEND_MARGIN_MS.min(lifetime / 4.0);
            let upload = signed
                .ticket
                .uploads
                .iter()
                .find(|u| u.variant == made.variant);
            match upload {
                Some(upload) if age_ms + margin < lifetime => Step::Send {
                    upload: upload.clone(),
                },
                // Expired, or a ticket that does not cover this variant: ask again.
                _ => release(),
            }
        }
        None => {
            let lifetime = f64::from(signed.ticket.complete_within_secs) * 1000.0;
            let margin = COMPLETE_MARGIN_MS.min(lifetime / 4.0);
            if age_ms + margin < lifetime {
                Step::Complete {
                    intent_id: signed.ticket.intent_id.clone(),
                }
            } else {
                release()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::UploadMethod;

    const MINUTE: f64 = 60_000.0;

    fn made() -> Vec<Made> {
        Variant::ALL
            .iter()
            .map(|&variant| Made {
                variant,
                content_type: ContentType::Webp,
                size: 1000,
                sha256: Sha256::from_digest([7; 32]),
            })
            .collect()
    }

    fn ticket() -> UploadTicket {
        UploadTicket {
            intent_id: "intent-1".into(),
            uploads: Variant::ALL
                .iter()
                .map(|&variant| SignedUpload {
                    variant,
                    method: UploadMethod::Post,
                    url: format!("https://store.test/{variant}"),
                    fields: vec![],
                    headers: vec![],
                })
                .collect(),
            send_within_secs: 600,
            complete_within_secs: 1200,
        }
    }

    fn chosen() -> Progress {
        Progress::new(7, "chair.jpg".into(), 0.0)
    }

    /// Shrunk, with `ticket()` received at `received_ms`.
    fn signed_at(received_ms: f64) -> Progress {
        let mut p = chosen();
        p.keep_variants(made());
        p.keep_ticket(ticket(), received_ms);
        p
    }

    /// Ask again, releasing the old intent.
    fn begin_again() -> Step {
        Step::Begin {
            release: Some("intent-1".into()),
        }
    }

    fn sent_variant(step: Step) -> Variant {
        match step {
            Step::Send { upload } => upload.variant,
            other => panic!("expected a send, got {other:?}"),
        }
    }

    #[test]
    fn an_older_journal_record_keeps_the_photo_and_forgets_the_rest() {
        let old = r#"{"product_id":3,"name":"tote.jpg","chosen_ms":5.0,
            "variants":[{"variant":"display","content_type":"image/jpeg","size":9}],"ticket":null}"#;
        assert_eq!(
            Progress::from_journal(old),
            Some(Progress::new(3, "tote.jpg".into(), 5.0))
        );
        let mut current = Progress::new(3, "tote.jpg".into(), 5.0);
        current.keep_variants(made());
        let json = serde_json::to_string(&current).unwrap();
        assert_eq!(Progress::from_journal(&json), Some(current));
        assert_eq!(Progress::from_journal("{}"), None);
    }

    #[test]
    fn a_new_photo_is_shrunk_first() {
        assert_eq!(next_step(&chosen(), true, 0.0), Step::Process);
    }

    #[test]
    fn an_unshrunk_photo_whose_file_is_gone_cannot_be_resumed() {
        assert_eq!(next_step(&chosen(), false, 0.0), Step::Unreadable);
    }

    #[test]
    fn a_shrunk_photo_is_never_shrunk_again_and_needs_no_original() {
        let mut p = chosen();
        p.keep_variants(made());
        assert_eq!(next_step(&p, false, 0.0), Step::Begin { release: None });
        assert_eq!(next_step(&p, true, 0.0), Step::Begin { release: None });
    }

    #[test]
    fn the_whole_chain_in_order() {
        let mut p = signed_at(0.0);
        for expected in Variant::ALL {
            let variant = sent_variant(next_step(&p, false, MINUTE));
            assert_eq!(variant, expected);
            p.mark_sent(variant);
        }
        assert_eq!(
            next_step(&p, false, 2.0 * MINUTE),
            Step::Complete {
                intent_id: "intent-1".into()
            }
        );
        assert_eq!(p.bytes(), (3000, 3000));
    }

    #[test]
    fn a_sent_variant_is_not_sent_again_after_a_reload() {
        let mut p = signed_at(0.0);
        p.mark_sent(Variant::Display);
        p.mark_sent(Variant::Display);
        // What the journal keeps survives a round trip, as it does across a reload.
        let json = serde_json::to_string(&p).expect("serialise");
        let back: Progress = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, p);
        assert_eq!(
            sent_variant(next_step(&back, false, MINUTE)),
            Variant::Medium
        );
        assert_eq!(back.bytes(), (3000, 1000));
    }

    #[test]
    fn an_expired_ticket_is_replaced_and_its_intent_released() {
        let mut p = signed_at(0.0);
        p.mark_sent(Variant::Display);
        // Nine and a half minutes in: too little of the ten left to start sending.
        assert_eq!(next_step(&p, false, 9.5 * MINUTE), begin_again());
        assert_eq!(p.drop_ticket().as_deref(), Some("intent-1"));
        assert_eq!(
            next_step(&p, false, 9.5 * MINUTE),
            Step::Begin { release: None }
        );
    }

    #[test]
    fn completing_is_allowed_until_the_intent_runs_out() {
        let mut p = signed_at(0.0);
        for v in Variant::ALL {
            p.mark_sent(v);
        }
        assert!(matches!(
            next_step(&p, false, 15.0 * MINUTE),
            Step::Complete { .. }
        ));
        assert_eq!(next_step(&p, false, 19.9 * MINUTE), begin_again());
    }

    #[test]
    fn a_clock_set_back_starts_the_uploads_again() {
        let p = signed_at(10.0 * MINUTE);
        assert_eq!(next_step(&p, false, 5.0 * MINUTE), begin_again());
    }

    #[test]
    fn a_ticket_missing_a_variant_is_asked_for_again() {
        let mut p = chosen();
        p.keep_variants(made());
        let mut partial = ticket();
        partial.uploads.retain(|u| u.variant != Variant::Thumb);
        p.keep_ticket(partial, 0.0);
        p.mark_sent(Variant::Display);
        p.mark_sent(Variant::Medium);
        assert!(matches!(
            next_step(&p, false, MINUTE),
            Step::Begin { release: Some(_) }
        ));
    }

    #[test]
    fn a_short_lived_ticket_still_gets_used() {
        // A store that signs for two minutes only: the margin shrinks with it.
        let mut p = chosen();
        p.keep_variants(made());
        let mut short = ticket();
        short.send_within_secs = 120;
        p.keep_ticket(short, 0.0);
        assert_eq!(
            sent_variant(next_step(&p, false, 1_000.0)),
            Variant::Display
        );
    }

    #[test]
    fn shrinking_again_forgets_an_old_ticket() {
        let mut p = signed_at(0.0);
        p.keep_variants(made());
        assert_eq!(p.ticket, None);
    }

    #[test]
    fn a_batch_left_for_a_day_is_abandoned() {
        let p = chosen();
        assert!(!p.is_abandoned(23.0 * 60.0 * MINUTE));
        assert!(p.is_abandoned(25.0 * 60.0 * MINUTE));
    }
}
