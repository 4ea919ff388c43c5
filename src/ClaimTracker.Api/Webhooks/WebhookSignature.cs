using System.Security.Cryptography;
using System.Text;

namespace ClaimTracker.Api.Webhooks;

/// <summary>
/// Standard Webhooks signing (https://www.standardwebhooks.com): `v1,` + base64 HMAC-SHA256, keyed with the secret's bytes
/// (base64 after `whsec_`), of `{webhook-id}.{webhook-timestamp}.{body}`. Written here rather than taken from a package: it
/// is these few lines over the BCL's HMAC, and the tests verify it with an independent implementation (docs/decisions/013-webhooks.md).
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: `whsec_` and 32 random bytes in base64.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The `webhook-signature` value: one `v1,…` per secret, space-separated (two while a rotated secret lives on).</summary>
    public static string Header(IEnumerable<string> secrets, string id, long timestamp, string body)
    {
        var message = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        return string.Join(' ', secrets.Select(secret =>
            "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret[SecretPrefix.Length..]), message))));
    }
}
