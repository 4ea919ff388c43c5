namespace ClaimTracker.Api.Auth;

/// <summary>An API key. Only the SHA-256 of the key is stored; the key itself is shown once, at creation.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public Role Role { get; set; }
    /// <summary>Lowercase hex SHA-256 of the whole key.</summary>
    public required string Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>Roles, each including the ones below it: reader &lt; editor &lt; admin.</summary>
public enum Role { Reader = 1, Editor = 2, Admin = 3 }
