using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.Http;

/// <summary>A response with the row version its ETag comes from.</summary>
public sealed record Versioned<T>(T Value, uint Version);

/// <summary>Strong ETags from PostgreSQL's row version (xmin).</summary>
public static class ETags
{
    public static string For(uint version) => $"\"{version}\"";

    /// <summary>The outcome of checking a write's If-Match against the current ETag.</summary>
    public enum Precondition { Missing, Stale, Holds }

    /// <summary>
    /// Checks If-Match strongly. A missing header, or `*` (which would skip the lost-update check), counts as missing.
    /// </summary>
    public static Precondition IfMatch(HttpRequest request, string etag)
    {
        var header = request.GetTypedHeaders().IfMatch;
        if (header.Count == 0 || header.Any(t => t.Equals(EntityTagHeaderValue.Any))) return Precondition.Missing;
        return header.Any(t => t.Compare(new EntityTagHeaderValue(etag), useStrongComparison: true)) ? Precondition.Holds : Precondition.Stale;
    }

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
