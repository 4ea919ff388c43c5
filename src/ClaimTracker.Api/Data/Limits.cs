namespace ClaimTracker.Api.Data;

/// <summary>Upper bounds on every stored string, enforced in the schema and by request validation.</summary>
public static class Limits
{
    public const int Slug = 100;
    public const int Name = 200;
    public const int Title = 500;
    public const int Url = 2048;
    public const int Statement = 1000;
    public const int Description = 4000;
    public const int Reason = 2000;
    public const int Quote = 4000;
    public const int Tag = 64;
    /// <summary>Source text; under the 1 MiB body limit with room for JSON escaping.</summary>
    public const int Content = 500_000;
}
