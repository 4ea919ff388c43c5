using System.Security.Cryptography;
using System.Text;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace ClaimTracker.Api.ClaimPages;

/// <summary>
/// `GET /claims/{slug}`: the claim's public page, the one a newsroom links to (docs/decisions/020-claim-pages.md).
/// Rendered on the server from Razor components, so that it carries its data and its ClaimReview without JavaScript.
/// </summary>
public static class ClaimPagesApi
{
    public const string HtmlType = "text/html; charset=utf-8";

    /// <summary>No script runs on the page (its JSON-LD is data, never executed); styles and the icon come from here.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void MapClaimPages(this IEndpointRouteBuilder app)
    {
        // HTML, not API: left out of the OpenAPI document, whose operations are the JSON it links to. HEAD too, for link
        // checkers and previews.
        app.MapMethods("/claims/{idOrSlug}", [HttpMethods.Get, HttpMethods.Head], GetClaimPage)
            .RequireAuthorization(Policies.Read)
            .ExcludeFromDescription();
    }

    private static async Task<IResult> GetClaimPage(
        string idOrSlug, [FromQuery(Name = "lang")] string? lang, ClaimTrackerDbContext db, HttpContext http,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Accept);
        switch (PageNegotiation.Choose(http.Request))
        {
            case PageFormat.Json:
                return SeeOther(http, ApiUrl(http, idOrSlug, "") + http.Request.QueryString);
            case PageFormat.JsonLd:
                return SeeOther(http, ApiUrl(http, idOrSlug, "/claimreview"));
            case PageFormat.None:
                return TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable",
                    detail: $"/claims/{{slug}} is a page (text/html). The claim's JSON is at {ApiUrl(http, idOrSlug, "")} " +
                            "(application/json), its ClaimReview at …/claimreview (application/ld+json).");
        }

        // A page never fails on a language: a `lang` it does not know is passed over for Accept-Language.
        var errors = new ValidationErrors();
        var preference = ClaimLanguages.Preference(http.Request, lang, errors);
        if (errors.Any) preference = ClaimLanguages.Preference(http.Request, null, errors);

        var model = await ClaimPageLoader.LoadAsync(db, http, idOrSlug, preference, cancellationToken);
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (model is null)
        {
            var missing = await RenderAsync<ClaimNotFoundPage>(http, loggerFactory, new() { [nameof(ClaimNotFoundPage.IdOrSlug)] = idOrSlug,
                [nameof(ClaimNotFoundPage.Root)] = http.Request.PathBase.Value ?? "" });
            return Html(http, missing, StatusCodes.Status404NotFound);
        }

        // The statement's language, and English for the rest of the page.
        ClaimLanguages.SetHeaders(http, [model.Language, ClaimLanguages.Canonical]);
        var html = await RenderAsync<ClaimPage>(http, loggerFactory, new() { [nameof(ClaimPage.Model)] = model });
        // The page shows more than the claim's row (history, sources, parts, the chain's verdict): its ETag is its bytes'.
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(html)))[..32]}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "no-cache";
        return ETags.IfNoneMatchHits(http.Request, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : Html(http, html, StatusCodes.Status200OK);
    }

    /// <summary>The page, or for HEAD its headers alone (Kestrel would drop the body; other servers need not).</summary>
    private static IResult Html(HttpContext http, string html, int statusCode)
    {
        if (!HttpMethods.IsHead(http.Request.Method)) return TypedResults.Content(html, HtmlType, Encoding.UTF8, statusCode);
        http.Response.ContentType = HtmlType;
        return TypedResults.StatusCode(statusCode);
    }

    private static string ApiUrl(HttpContext http, string idOrSlug, string suffix) =>
        $"{http.Request.PathBase}/api/v1/claims/{Uri.EscapeDataString(idOrSlug)}{suffix}";

    /// <summary>303 See Other: the representation asked for is another resource, read with GET.</summary>
    private static IResult SeeOther(HttpContext http, string location)
    {
        http.Response.Headers.Location = location;
        return TypedResults.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>Renders a component to an HTML string: Razor encodes every value it writes, as text or attribute.</summary>
    private static async Task<string> RenderAsync<TComponent>(HttpContext http, ILoggerFactory loggerFactory, Dictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(http.RequestServices, loggerFactory);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
