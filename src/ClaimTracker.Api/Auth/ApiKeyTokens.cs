using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ClaimTracker.Api.Auth;

/// <summary>
/// Keys are `ct_` + 32 random bytes in base64url. A key is found by the SHA-256 of the whole key (a high-entropy
/// secret, so the index lookup reveals nothing) and then compared in constant time.
/// </summary>
public static class ApiKeyTokens
{
    /// <summary>Keys shorter than this are refused, including a configured bootstrap key.</summary>
    public const int MinimumLength = 20;

    public static string NewKey() => $"ct_{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool HashesMatch(string presentedHash, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presentedHash), Encoding.ASCII.GetBytes(storedHash));
}
