using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimTracker.Api.Http;
using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.Claims;

/// <summary>
/// A merge patch of a claim: any of the editable fields; `null` clears an optional one, `quantity` merges field by field,
/// `statements` language by language (`{ "statements": { "it": "…", "fr": null } }` sets the Italian and drops the French;
/// `statements.en` and `statement` are the same text, either may change it).
/// </summary>
// Only describes the body in OpenAPI: the handler reads the JSON itself, to tell "absent" from "null".
public sealed record ClaimPatchDocument(
    string? Slug, string? Statement, ClaimKind? Kind, string? Subject, string? Claimant, IReadOnlyList<string>? Tags,
    string? PartOf, QuantityPatchDocument? Quantity, DateOnly? OccurredOn, DatePrecision? DatePrecision,
    IReadOnlyDictionary<string, string?>? Statements);

/// <summary>The figures to change; `null` clears an optional one.</summary>
public sealed record QuantityPatchDocument(
    decimal? Amount, string? Unit, bool? Approximate, string? Period, string? Scope, decimal? LowerBound, decimal? UpperBound);

/// <summary>
/// JSON Merge Patch (RFC 7396) of a claim's editable fields: the patch is merged into the claim's create-request shape,
/// and the result is read back as a <see cref="CreateClaimRequest"/> for <see cref="ClaimRules"/> to validate.
/// </summary>
public static class ClaimMergePatch
{
    public const string MediaType = "application/merge-patch+json";

    public static readonly FrozenSet<string> Editable = FrozenSet.Create(StringComparer.Ordinal,
        "slug", "statement", "kind", "subject", "claimant", "tags", "partOf", "quantity", "occurredOn", "datePrecision", "statements");

    private static readonly FrozenSet<string> QuantityFields = FrozenSet.Create(StringComparer.Ordinal,
        "amount", "unit", "approximate", "period", "scope", "lowerBound", "upperBound");

    private static readonly FrozenSet<string> ServerOwned = FrozenSet.Create(StringComparer.Ordinal,
        "id", "statusChangedAt", "createdAt", "updatedAt", "parts", "appearances");

    /// <summary>True for `application/merge-patch+json` and `application/json` (any parameters).</summary>
    public static bool IsSupported(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && (parsed.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase)
            || parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the body as a patch: a JSON object naming only editable fields. Anything else is named in <paramref name="errors"/>.</summary>
    public static async Task<JsonObject?> ReadAsync(HttpRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false },
                cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            errors.Add("$", "The body is not well-formed JSON (or repeats a property).");
            return null;
        }
        if (body is not JsonObject patch)
        {
            errors.Add("$", "A merge patch is a JSON object naming the fields to change, e.g. { \"statement\": \"…\" }.");
            return null;
        }

        foreach (var (name, value) in patch)
        {
            if (name is "status" or "statusReason")
            {
                errors.Add(name, "The status changes through PUT /api/v1/claims/{idOrSlug}/status, with a reason and evidence.");
            }
            else if (ServerOwned.Contains(name)) errors.Add(name, $"{name} is set by the server and cannot be changed.");
            else if (!Editable.Contains(name)) errors.Add(name, "Unknown property: it is not part of this operation's body.");
            else if (name == "statements" && value is JsonObject statements
                     && statements.Any(s => s.Value is null && ClaimLanguages.Normalize(s.Key) == ClaimLanguages.Canonical))
            {
                errors.Add("statements.en", "statements.en is the canonical statement: it can be changed, not removed.");
            }
            else if (name == "quantity" && value is JsonObject quantity)
            {
                foreach (var (field, _) in quantity.Where(f => !QuantityFields.Contains(f.Key)))
                {
                    errors.Add($"quantity.{field}", "Unknown property: it is not part of this operation's body.");
                }
            }
        }
        return errors.Any ? null : patch;
    }

    /// <summary>The claim's editable fields with <paramref name="patch"/> merged in; a value of the wrong type is named in <paramref name="errors"/>.</summary>
    public static CreateClaimRequest? Apply(Claim claim, JsonObject patch, JsonSerializerOptions json, ValidationErrors errors)
    {
        var document = JsonSerializer.SerializeToNode(claim.ToRequest(), json)!.AsObject();
        MergeInto(document, patch);
        // `statement` and `statements.en` are one text: the one the patch changed carries the other along.
        var english = (patch["statements"] as JsonObject)?.FirstOrDefault(s => ClaimLanguages.Normalize(s.Key) == ClaimLanguages.Canonical);
        if (english?.Value is null && patch["statement"] is { } statement && document["statements"] is JsonObject all)
        {
            all[ClaimLanguages.Canonical] = statement.DeepClone();
        }
        else if (english?.Value is { } text && !patch.ContainsKey("statement"))
        {
            document["statement"] = text.DeepClone();
        }
        try
        {
            return document.Deserialize<CreateClaimRequest>(json);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "$" : e.Path.TrimStart('$', '.');
            errors.Add(field, "The value has the wrong type or is not one of the allowed words.");
            return null;
        }
    }

    /// <summary>RFC 7396 §2: null removes a member, an object merges recursively, anything else replaces (arrays too).</summary>
    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject inner)
            {
                if (target[name] is not JsonObject existing) target[name] = existing = new JsonObject();
                MergeInto(existing, inner);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }
}
