using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Entities;

/// <summary>The query string of `GET /entities`, as sent.</summary>
public sealed record EntityListQuery
{
    /// <summary>Kind of entity: organization, person, government, court, product or place.</summary>
    /// <example>court</example>
    [FromQuery(Name = "kind")] public string? Kind { get; init; }

    /// <summary>A case-insensitive prefix of the entity's name or of any of its aliases, in any language.</summary>
    /// <example>corte suprema</example>
    [FromQuery(Name = "q")] public string? Q { get; init; }

    /// <summary>Page size, 1–100 (default 20).</summary>
    /// <example>20</example>
    [FromQuery(Name = "limit")] public string? Limit { get; init; }

    /// <summary>The `nextCursor` of the previous page; opaque.</summary>
    [FromQuery(Name = "cursor")] public string? Cursor { get; init; }

    /// <summary>The only order of the entity list, as its cursors name it.</summary>
    public const string Sort = "slug";

    /// <summary>Parses every parameter; each bad one is named in <paramref name="errors"/>.</summary>
    public EntityFilter Parse(ValidationErrors errors)
    {
        if (Q is { Length: 0 or > 200 }) errors.Add("q", "q must be 1 to 200 characters.");
        Cursor? cursor = null;
        if (Cursor is not null && (!Http.Cursor.TryDecode(Cursor, out cursor) || cursor!.Sort != Sort))
        {
            errors.Add("cursor", "The cursor is not one this API issued for this list.");
        }
        return new EntityFilter(errors.Enum<EntityKind>("kind", Kind), Q, errors.Limit(Limit), cursor);
    }
}

/// <summary>Parsed and validated filters and page position of `GET /entities`.</summary>
public sealed record EntityFilter(EntityKind? Kind, string? Q, int Limit, Cursor? Cursor)
{
    public IQueryable<Entity> Apply(IQueryable<Entity> entities)
    {
        if (Kind is { } kind) entities = entities.Where(e => e.Kind == kind);
        if (Q is { } q)
        {
            // Case-insensitive prefix of the name or of any alias; the user's own `%`, `_` and `\` match literally.
            var pattern = q.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
            entities = entities.Where(e => EF.Functions.ILike(e.Name, pattern) || e.Aliases.Any(a => EF.Functions.ILike(a, pattern)));
        }
        return entities;
    }

    /// <summary>One page in slug order, continuing strictly after the cursor's slug (slugs are unique). No OFFSET.</summary>
    public async Task<Page<EntityListItem>> PageAsync(IQueryable<Entity> entities, CancellationToken cancellationToken)
    {
        if (Cursor is { Key: var after }) entities = entities.Where(e => string.Compare(e.Slug, after) > 0);
        // One row more than asked tells whether another page exists, without a COUNT.
        var rows = await entities.OrderBy(e => e.Slug)
            .Select(EntityProjections.ToListItem)
            .Take(Limit + 1)
            .ToListAsync(cancellationToken);
        if (rows.Count <= Limit) return new Page<EntityListItem>(rows, null);

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return new Page<EntityListItem>(rows, new Cursor(EntityListQuery.Sort, last.Slug, last.Id).Encode());
    }
}
