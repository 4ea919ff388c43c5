using System.Security.Claims;
using System.Text.Encodings.Web;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Auth;

/// <summary>Authorization policies by role; <see cref="Read"/> also admits anonymous callers unless configured off.</summary>
public static class Policies
{
    public const string Read = "read";
    public const string Edit = "edit";
    public const string Admin = "admin";

    /// <summary>Whether the policy named <paramref name="policy"/> lets a caller without a key through.</summary>
    public static bool AdmitsAnonymous(string policy, AuthOptions settings) => policy == Read && settings.AnonymousReads;

    /// <summary>
    /// Whether a caller without a key is refused by an endpoint with this metadata, read as the authorization middleware
    /// reads it: `[AllowAnonymous]` lets everyone through; otherwise every <see cref="IAuthorizeData"/> must be met, and
    /// only a policy that <see cref="AdmitsAnonymous"/> can be met without a key (the default policy, roles, a policy
    /// object and any other named policy need an authenticated caller). No authorization metadata: no key needed.
    /// </summary>
    public static bool NeedsKey(IEnumerable<object> endpointMetadata, AuthOptions settings)
    {
        var metadata = endpointMetadata.ToList();
        if (metadata.OfType<IAllowAnonymous>().Any()) return false;
        if (metadata.OfType<AuthorizationPolicy>().Any()) return true;
        // No policy named: the default one (an authenticated caller) or the roles named.
        return metadata.OfType<IAuthorizeData>().Any(data =>
            data.Policy is null || !string.IsNullOrEmpty(data.Roles) || !AdmitsAnonymous(data.Policy, settings));
    }
}

/// <summary>
/// Configuration `Auth`: whether callers without a key may read (`AnonymousReads`, default true), and an admin key to make
/// sure of at start-up (`BootstrapAdminKey`, for containers; at least 20 characters).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public bool AnonymousReads { get; set; } = true;

    public string? BootstrapAdminKey { get; set; }
}

public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string KeyIdClaim = "key_id";

    public static void AddClaimTrackerAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<AuthOptions>(AuthOptions.Section)
            .Validate(o => string.IsNullOrEmpty(o.BootstrapAdminKey) || o.BootstrapAdminKey.Length >= ApiKeyTokens.MinimumLength,
                $"Auth:BootstrapAdminKey must be at least {ApiKeyTokens.MinimumLength} characters.");
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            // A request that sends a key must send a valid one, even where anonymous reads are allowed.
            .AddPolicy(Policies.Read, policy => policy.RequireAssertion(context =>
                context.User.IsInRole(WordOf(Role.Reader))
                || (context.Resource is HttpContext http && !http.Request.Headers.ContainsKey(HeaderName)
                    && Policies.AdmitsAnonymous(Policies.Read, http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value))))
            .AddPolicy(Policies.Edit, policy => policy.RequireRole(WordOf(Role.Editor)))
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(WordOf(Role.Admin)));
    }

    public static string WordOf(Role role) => EnumWords.ToWord(role);

    /// <summary>The name of the key that made the request: the `actor` of what it changes.</summary>
    public static string ActorName(this ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";

    public static Guid? KeyId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(KeyIdClaim), out var id) ? id : null;

    private sealed class ApiKeyHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
        ClaimTrackerDbContext db, IProblemDetailsService problems)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(HeaderName, out var values)) return AuthenticateResult.NoResult();
            var presented = values.ToString();
            if (presented.Length is < ApiKeyTokens.MinimumLength or > 200) return AuthenticateResult.Fail("Malformed API key.");

            var hash = ApiKeyTokens.Hash(presented);
            var key = await db.ApiKeys.AsNoTracking()
                .Where(k => k.Hash == hash)
                .Select(k => new { k.Id, k.Name, k.Role, k.Hash, k.RevokedAt })
                .FirstOrDefaultAsync(Context.RequestAborted);
            if (key is null || !ApiKeyTokens.HashesMatch(hash, key.Hash)) return AuthenticateResult.Fail("Unknown API key.");
            if (key.RevokedAt is not null) return AuthenticateResult.Fail("Revoked API key.");

            // Each role includes the ones below it.
            var claims = new List<Claim> { new(ClaimTypes.Name, key.Name), new(KeyIdClaim, key.Id.ToString()) };
            claims.AddRange(Enum.GetValues<Role>().Where(r => r <= key.Role).Select(r => new Claim(ClaimTypes.Role, WordOf(r))));
            return AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = $"{Scheme.Name} header=\"{HeaderName}\"";
            var sent = Request.Headers.ContainsKey(HeaderName);
            await WriteProblemAsync("Unauthorized", sent
                ? "The X-Api-Key header does not hold a valid, unrevoked API key."
                : "This operation needs an API key in the X-Api-Key header.");
        }

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return WriteProblemAsync("Forbidden", "This API key's role does not allow this operation.");
        }

        private async Task WriteProblemAsync(string title, string detail) =>
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = { Status = Response.StatusCode, Title = title, Detail = detail },
            });
    }
}
