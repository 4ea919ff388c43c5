using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.ClaimPages;

/// <summary>What a `GET /claims/{slug}` is answered with.</summary>
public enum PageFormat
{
    /// <summary>The page (`text/html`).</summary>
    Html,
    /// <summary>303 to the claim's JSON in the API (`application/json`).</summary>
    Json,
    /// <summary>303 to the claim's ClaimReview in the API (`application/ld+json`).</summary>
    JsonLd,
    /// <summary>406: none of these is acceptable.</summary>
    None,
}

/// <summary>Proactive negotiation on `Accept` (RFC 9110 §12.5.1) among the page and its JSON counterparts.</summary>
public static class PageNegotiation
{
    private static readonly (PageFormat Format, MediaTypeHeaderValue Type)[] Offers =
    [
        (PageFormat.Html, new MediaTypeHeaderValue("text/html")),
        (PageFormat.Json, new MediaTypeHeaderValue("application/json")),
        (PageFormat.JsonLd, new MediaTypeHeaderValue("application/ld+json")),
    ];

    /// <summary>
    /// The offer of highest quality, each offer rated by the most specific range that matches it (`text/html` over
    /// `text/*` over `*/*`); the page wins ties, so no `Accept`, `*/*` and a browser's list all get the page.
    /// </summary>
    public static PageFormat Choose(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0) return PageFormat.Html;
        var best = PageFormat.None;
        var bestQuality = 0.0;
        foreach (var (format, type) in Offers)
        {
            var quality = QualityOf(type, accept);
            if (quality > bestQuality)
            {
                best = format;
                bestQuality = quality;
            }
        }
        return best;
    }

    private static double QualityOf(MediaTypeHeaderValue offer, IList<MediaTypeHeaderValue> accept)
    {
        var specificity = -1;
        var quality = 0.0;
        foreach (var range in accept)
        {
            if (!offer.IsSubsetOf(range)) continue;
            var rank = range.MatchesAllTypes ? 0 : range.MatchesAllSubTypes ? 1 : 2;
            if (rank < specificity) continue;
            var q = range.Quality ?? 1.0;
            quality = rank > specificity ? q : Math.Max(quality, q);
            specificity = rank;
        }
        return quality;
    }
}
