using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Timeline;

public sealed class TimelineApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TimelineListsEveryEventClaimByDateAscending()
    {
        var subject = await AddSubjectAsync();
        await AddClaimsAsync(
            NewEvent(subject, new DateOnly(2025, 1, 21)), NewEvent(subject, new DateOnly(1999, 12, 31)),
            NewEvent(subject, null), NewClaim(subject, ClaimKind.Assertion));

        var listed = await WalkAsync("/api/v1/timeline?limit=100");

        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => c.Kind == ClaimKind.Event)
            .OrderBy(c => c.OccurredOn ?? DateOnly.MaxValue).ThenBy(c => c.Id).Select(c => c.Id).ToListAsync(Ct);
        Assert.Equal(expected, listed.Select(c => c.Id));
        Assert.All(listed, c => Assert.Equal(ClaimKind.Event, c.Kind));
        var dated = listed.TakeWhile(c => c.OccurredOn is not null).Select(c => c.OccurredOn!.Value).ToList();
        Assert.Equal(dated.Order(), dated);
        Assert.Null(listed[^1].OccurredOn);
    }

    [Fact]
    public async Task SeededTikTokBanComesBeforeItsRestoration()
    {
        var page = await app.GetJsonAsync<Page<ClaimResponse>>("/api/v1/timeline?subject=tiktok&from=2025-01-19&to=2025-01-20");

        var slugs = page.Items.Select(c => c.Slug).ToList();
        Assert.Contains("us-law-tiktok-sell-or-ban", slugs);
        Assert.True(slugs.IndexOf("tiktok-banned-in-us") < slugs.IndexOf("tiktok-restored-after-trump-order"), string.Join(", ", slugs));
        Assert.Equal(new DateOnly(2025, 1, 19), page.Items.Single(c => c.Slug == "tiktok-banned-in-us").OccurredOn);
        Assert.Equal(new DateOnly(2025, 1, 20), page.Items[^1].OccurredOn);
    }

    [Fact]
    public async Task FromAndToAreInclusiveDates()
    {
        var subject = await AddSubjectAsync();
        var (march1, march2, march3, march4) = (NewEvent(subject, new DateOnly(1990, 3, 1)), NewEvent(subject, new DateOnly(1990, 3, 2)),
            NewEvent(subject, new DateOnly(1990, 3, 3)), NewEvent(subject, new DateOnly(1990, 3, 4)));
        await AddClaimsAsync(march1, march2, march3, march4);

        var page = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/timeline?subject={subject.Slug}&from=1990-03-02&to=1990-03-03");

        Assert.Equal(new[] { march2.Id, march3.Id }, page.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task SubjectFilterTakesAnIdOrASlug()
    {
        var (subject, other) = (await AddSubjectAsync(), await AddSubjectAsync());
        var (mine, theirs) = (NewEvent(subject, new DateOnly(2001, 9, 1)), NewEvent(other, new DateOnly(2001, 9, 1)));
        await AddClaimsAsync(mine, theirs);

        var bySlug = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/timeline?subject={subject.Slug}");
        var byId = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/timeline?subject={subject.Id}");

        Assert.Equal(mine.Id, Assert.Single(bySlug.Items).Id);
        Assert.Equal(mine.Id, Assert.Single(byId.Items).Id);
    }

    [Fact]
    public async Task StatusFilterIsRepeatable()
    {
        var subject = await AddSubjectAsync();
        var (confirmed, refuted, unverified) = (NewEvent(subject, new DateOnly(2010, 5, 1), ClaimStatus.Confirmed),
            NewEvent(subject, new DateOnly(2010, 5, 2), ClaimStatus.Refuted), NewEvent(subject, new DateOnly(2010, 5, 3)));
        await AddClaimsAsync(confirmed, refuted, unverified);

        var page = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/timeline?subject={subject.Slug}&status=confirmed&status=refuted");

        Assert.Equal(new[] { confirmed.Id, refuted.Id }, page.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task WalkingAllPagesYieldsEveryEventExactlyOnce()
    {
        var subject = await AddSubjectAsync();
        // Events on the same day are told apart by id: the pager must neither skip nor repeat them.
        var events = Enumerable.Range(0, 5).Select(_ => NewEvent(subject, new DateOnly(2020, 2, 29))).Append(NewEvent(subject, null)).ToArray();
        await AddClaimsAsync(events);

        var listed = await WalkAsync($"/api/v1/timeline?subject={subject.Slug}&limit=2");

        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => c.SubjectId == subject.Id)
            .OrderBy(c => c.OccurredOn ?? DateOnly.MaxValue).ThenBy(c => c.Id).Select(c => c.Id).ToListAsync(Ct);
        Assert.Equal(6, expected.Count);
        Assert.Equal(expected, listed.Select(c => c.Id));
    }

    [Theory]
    [InlineData("from=2025-13-01", "from")]
    [InlineData("to=19%20January", "to")]
    [InlineData("from=2025-01-20&to=2025-01-19", "to")]
    [InlineData("status=maybe", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("cursor=garbage", "cursor")]
    public async Task InvalidParameterIsRejectedNamingIt(string query, string parameter)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/v1/timeline?{query}", Ct);

        await Problems.AssertValidationProblemAsync(response, parameter);
    }

    [Fact]
    public async Task CursorOfAnotherSortIsRejected()
    {
        var subject = await AddSubjectAsync();
        await AddClaimsAsync(NewEvent(subject, new DateOnly(2021, 1, 1)), NewEvent(subject, new DateOnly(2021, 1, 2)));
        var claims = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/claims?subject={subject.Slug}&sort=-occurred&limit=1");
        Assert.NotNull(claims.NextCursor);
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/v1/timeline?cursor={Uri.EscapeDataString(claims.NextCursor)}", Ct);

        await Problems.AssertValidationProblemAsync(response, "cursor");
    }

    private async Task<List<ClaimResponse>> WalkAsync(string url)
    {
        var items = new List<ClaimResponse>();
        for (var next = url; next is not null;)
        {
            var page = await app.GetJsonAsync<Page<ClaimResponse>>(next);
            items.AddRange(page.Items);
            next = page.NextCursor is null ? null : $"{url}&cursor={Uri.EscapeDataString(page.NextCursor)}";
        }
        return items;
    }

    private async Task<Entity> AddSubjectAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var slug = $"test-subject-{Guid.NewGuid():N}";
        var entity = new Entity { Slug = slug, Name = $"Subject {slug}", CreatedAt = now, UpdatedAt = now };
        await using var db = app.CreateDbContext();
        db.Entities.Add(entity);
        await db.SaveChangesAsync(Ct);
        return entity;
    }

    private async Task AddClaimsAsync(params Claim[] claims)
    {
        await using var db = app.CreateDbContext();
        db.Claims.AddRange(claims);
        await db.SaveChangesAsync(Ct);
    }

    private static Claim NewEvent(Entity subject, DateOnly? occurredOn, ClaimStatus status = ClaimStatus.Unverified)
    {
        var claim = NewClaim(subject, ClaimKind.Event, status);
        (claim.OccurredOn, claim.DatePrecision) = (occurredOn, occurredOn is null ? null : DatePrecision.Day);
        return claim;
    }

    private static Claim NewClaim(Entity subject, ClaimKind kind, ClaimStatus status = ClaimStatus.Unverified)
    {
        var now = DateTimeOffset.UtcNow;
        var slug = $"test-claim-{Guid.NewGuid():N}";
        return new Claim
        {
            Slug = slug, Statement = $"Statement of {slug}.", Kind = kind, SubjectId = subject.Id, Status = status,
            CreatedAt = now, UpdatedAt = now,
        };
    }
}
