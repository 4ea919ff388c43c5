using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.Http;

/// <summary>A response with the row version its ETag comes from.</summary>
public sealed record Versioned<T>(T Value, uint Version);

/// <summary>
/// Strong ETags from PostgreSQL's row version (xmin). A resource read in a language other than English has one ETag per
/// language (`"123@it"`: another representation of version 123); a write's If-Match compares the version alone.
/// </summary>
public static class ETags
{
    public static string For(uint version) => $"\"{version}\"";

    public static string For(uint version, string language) =>
        language == Claims.ClaimLanguages.Canonical ? For(version) : $"\"{version}@{language}\"";

    /// <summary>The outcome of checking a write's If-Match against the current ETag.</summary>
    public enum Precondition { Missing, Stale, Holds }

    /// <summary>
    /// Checks If-Match strongly. A missing header, or `*` (which would skip the lost-update check), counts as missing.
    /// </summary>
    public static Precondition IfMatch(HttpRequest request, string etag)
    {
        var header = request.GetTypedHeaders().IfMatch;
        if (header.Count == 0 || header.Any(t => t.Equals(EntityTagHeaderValue.Any))) return Precondition.Missing;
        return header.Any(t => !t.IsWeak && VersionOf(t.Tag.Value) == etag) ? Precondition.Holds : Precondition.Stale;
    }

    /// <summary>`"123@it"` → `"123"`: the version a representation's tag names.</summary>
    private static string? VersionOf(string? tag) =>
        tag is null ? null : tag.IndexOf('@') is var at and > 0 ? tag[..at] + "\"" : tag;

    public static ProblemHttpResult PreconditionRequired() => TypedResults.Problem(
        statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required",
        detail: "Send the ETag you last read in an If-Match header, so that a concurrent change is not overwritten.");

    public static ProblemHttpResult PreconditionFailed() => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed, title: "Stale ETag",
        detail: "The resource changed since you read it (If-Match does not hold). Read it again, then retry; nothing was changed.");

    /// <summary>True when the request's If-None-Match names <paramref name="etag"/> (or is `*`).</summary>
    public static bool IfNoneMatchHits(HttpRequest request, string etag)
    {
        var header = request.GetTypedHeaders().IfNoneMatch;
        return header.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(new EntityTagHeaderValue(etag), useStrongComparison: false));
    }
}
