namespace ClaimTracker.Api.Entities;

/// <summary>Who or what claims are about or made by.</summary>
public sealed class Entity
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public EntityKind Kind { get; set; }
    public List<string> Aliases { get; set; } = [];
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum EntityKind { Organization, Person, Government, Court, Product, Place }
