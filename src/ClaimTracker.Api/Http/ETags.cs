using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.Http;

/// <summary>Strong ETags from PostgreSQL's row version (xmin).</summary>
public static class ETags
{
    public static string For(uint version) => $"\"{version}\"";

    /// <summary>True when the request's If-None-Match names <paramref name="etag"/> (or is `*`).</summary>
    public static bool IfNoneMatchHits(HttpRequest request, string etag)
    {
        var header = request.GetTypedHeaders().IfNoneMatch;
        return header.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(new EntityTagHeaderValue(etag), useStrongComparison: false));
    }
}
