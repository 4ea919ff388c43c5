using System.ComponentModel.DataAnnotations;
using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.Matching;

/// <summary>
/// Is this claim already tracked? `text` (1–2,000 characters) in English or Italian; `language` (`en` | `it`) when known,
/// else both are tried; at most `limit` candidates (1–20, default 5).
/// </summary>
public sealed record MatchRequest([property: Required] string Text, string? Language, int? Limit);

/// <summary>Candidates best first; nothing below the `similar` threshold.</summary>
public sealed record MatchResponse(IReadOnlyList<MatchCandidate> Items);

/// <summary>
/// A tracked claim that may be the one in the text: `score` 0–1, `verdict` `duplicate` (the same claim) or `similar`
/// (related: same subject, other words or other figures), and the claim's text it matched best.
/// </summary>
public sealed record MatchCandidate(ClaimResponse Claim, double Score, MatchVerdict Verdict, MatchedText Matched);

/// <summary>What matched: the claim's `statement` (English), a `translation` or a `quote` from a source, and its language.</summary>
public sealed record MatchedText(MatchedField Field, string Language, string Text);

public enum MatchVerdict { Duplicate, Similar }

public enum MatchedField { Statement, Translation, Quote }
