using System.Net.Http.Json;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Claims;

public sealed class ClaimListTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WalkingEveryPageYieldsEachClaimOnceInOrder()
    {
        var subject = await app.AddEntityAsync();
        var created = await app.AddClaimsAsync(subject, 23);

        var seen = new List<ClaimResponse>();
        string? url = $"/api/v1/claims?subject={subject.Slug}&limit=5";
        var pages = 0;
        using var client = app.CreateClient();
        while (url is not null)
        {
            using var response = await client.GetAsync(url, Ct);
            var page = (await response.Content.ReadFromJsonAsync<Page<ClaimResponse>>(ClaimTrackerApp.Json, Ct))!;
            seen.AddRange(page.Items);
            pages++;
            if (page.NextCursor is null)
            {
                Assert.False(response.Headers.Contains("Link"));
                url = null;
            }
            else
            {
                var link = Assert.Single(response.Headers.GetValues("Link"));
                Assert.EndsWith("rel=\"next\"", link);
                url = link[1..link.IndexOf('>')];
                Assert.Contains($"subject={subject.Slug}", url);
            }
        }

        Assert.Equal(5, pages);
        Assert.Equal(created.OrderByDescending(c => c.UpdatedAt).Select(c => c.Id), seen.Select(c => c.Id));
    }

    [Theory]
    [InlineData("updated")]
    [InlineData("-updated")]
    [InlineData("occurred")]
    [InlineData("-occurred")]
    public async Task EverySortPagesWithoutDuplicatesOrGaps(string sort)
    {
        var subject = await app.AddEntityAsync();
        // Shared dates and missing dates are the hard cases for keyset paging.
        var created = await app.AddClaimsAsync(subject, 17, (i, c) =>
        {
            c.Kind = ClaimKind.Event;
            c.OccurredOn = i % 4 == 0 ? null : new DateOnly(2025, 1, 10 + i % 3);
            c.UpdatedAt = new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i % 5);
        });

        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await app.GetJsonAsync<Page<ClaimResponse>>(
                $"/api/v1/claims?subject={subject.Id}&sort={sort}&limit=4{(cursor is null ? "" : $"&cursor={cursor}")}");
            ids.AddRange(page.Items.Select(c => c.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.Equal(created.Count, ids.Count);
        Assert.Equal(created.Select(c => c.Id).Order(), ids.Order());
        if (sort.EndsWith("occurred", StringComparison.Ordinal))
        {
            var dates = ids.Select(id => created.Single(c => c.Id == id).OccurredOn).ToList();
            var dated = dates.TakeWhile(d => d is not null).ToList();
            Assert.All(dates.Skip(dated.Count), d => Assert.Null(d)); // undated claims come last
            Assert.Equal(sort == "occurred" ? dated.Order() : dated.OrderDescending(), dated);
        }
    }

    [Fact]
    public async Task FiltersCombineAndRepeatedStatusMeansAnyOf()
    {
        var subject = await app.AddEntityAsync();
        var claimant = await app.AddEntityAsync("claimant", Api.Entities.EntityKind.Person);
        var created = await app.AddClaimsAsync(subject, 6, (i, c) =>
        {
            c.Status = (ClaimStatus)(i % 3); // unverified, in_review, confirmed
            c.ClaimantId = i < 3 ? claimant.Id : null;
            c.Tags = i % 2 == 0 ? ["even"] : ["odd"];
        });

        var anyOf = await app.GetJsonAsync<Page<ClaimResponse>>(
            $"/api/v1/claims?subject={subject.Slug}&status=in_review&status=confirmed");
        Assert.Equal(created.Where(c => c.Status is ClaimStatus.InReview or ClaimStatus.Confirmed).Select(c => c.Id).Order(),
            anyOf.Items.Select(c => c.Id).Order());

        var combined = await app.GetJsonAsync<Page<ClaimResponse>>(
            $"/api/v1/claims?subject={subject.Id}&claimant={claimant.Slug}&tag=even");
        Assert.Equal(created.Where(c => c.ClaimantId == claimant.Id && c.Tags.Contains("even")).Select(c => c.Id).Order(),
            combined.Items.Select(c => c.Id).Order());
        Assert.All(combined.Items, c => Assert.Equal(claimant.Slug, c.Claimant!.Slug));
    }

    [Fact]
    public async Task DateAndKindFiltersSelectEventsInRange()
    {
        var subject = await app.AddEntityAsync();
        var created = await app.AddClaimsAsync(subject, 5, (i, c) =>
        {
            c.Kind = i == 4 ? ClaimKind.Assertion : ClaimKind.Event;
            c.OccurredOn = i == 4 ? null : new DateOnly(2025, 1, 17 + i);
            c.DatePrecision = i == 4 ? null : DatePrecision.Day;
        });

        var page = await app.GetJsonAsync<Page<ClaimResponse>>(
            $"/api/v1/claims?subject={subject.Slug}&kind=event&occurredFrom=2025-01-18&occurredTo=2025-01-19&sort=occurred");

        Assert.Equal([new DateOnly(2025, 1, 18), new DateOnly(2025, 1, 19)], page.Items.Select(c => c.OccurredOn!.Value));
        Assert.All(page.Items, c => Assert.Equal(ClaimKind.Event, c.Kind));
        Assert.Equal(created[1].Id, page.Items[0].Id);
    }

    [Fact]
    public async Task UpdatedSinceAndPartOfFilter()
    {
        var subject = await app.AddEntityAsync();
        var total = (await app.AddClaimsAsync(subject, 1))[0];
        var parts = await app.AddClaimsAsync(subject, 3, (i, c) =>
        {
            c.PartOfId = total.Id;
            c.UpdatedAt = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(i);
        });

        var ofTotal = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/claims?partOf={total.Slug}");
        Assert.Equal(parts.Select(p => p.Id).Order(), ofTotal.Items.Select(c => c.Id).Order());
        Assert.All(ofTotal.Items, c => Assert.Equal(total.Id, c.PartOf!.Id));

        var recent = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/claims?subject={subject.Slug}&updatedSince=2030-01-02T00:00:00Z");
        Assert.Equal(parts.Skip(1).Select(p => p.Id).Order(), recent.Items.Select(c => c.Id).Order());
    }

    [Theory]
    [InlineData("status=bogus", "status")]
    [InlineData("kind=rumour", "kind")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("sort=newest", "sort")]
    [InlineData("occurredFrom=19-01-2025", "occurredFrom")]
    [InlineData("occurredTo=2025-13-01", "occurredTo")]
    [InlineData("updatedSince=yesterday", "updatedSince")]
    [InlineData("source=bytedance", "source")]
    public async Task BadQueryParameterIs400NamingIt(string query, string parameter)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims?{query}", Ct);

        await Problems.AssertValidationProblemAsync(response, parameter);
    }

    [Fact]
    public async Task CursorFromAnotherSortIsRejected()
    {
        var subject = await app.AddEntityAsync();
        await app.AddClaimsAsync(subject, 3);
        var first = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/claims?subject={subject.Slug}&limit=1&sort=updated");

        using var client = app.CreateClient();
        using var response = await client.GetAsync($"/api/v1/claims?subject={subject.Slug}&limit=1&sort=-occurred&cursor={first.NextCursor}", Ct);

        await Problems.AssertValidationProblemAsync(response, "cursor");
    }

    [Fact]
    public async Task UnknownSubjectGivesAnEmptyPage()
    {
        var page = await app.GetJsonAsync<Page<ClaimResponse>>("/api/v1/claims?subject=no-such-entity");

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task ListItemsCarryNoAppearancesOrParts()
    {
        var subject = await app.AddEntityAsync();
        await app.AddClaimsAsync(subject, 1);
        using var client = app.CreateClient();

        var json = await client.GetStringAsync($"/api/v1/claims?subject={subject.Slug}", Ct);

        Assert.DoesNotContain("\"appearances\"", json);
        Assert.DoesNotContain("\"parts\"", json);
        Assert.Contains("\"status\":\"unverified\"", json);
    }

    [Fact]
    public async Task ListMatchesTheDatabaseCount()
    {
        await using var db = app.CreateDbContext();
        var disputed = await db.Claims.CountAsync(c => c.Status == ClaimStatus.Disputed, Ct);

        var page = await app.GetJsonAsync<Page<ClaimResponse>>("/api/v1/claims?status=disputed&limit=100");

        Assert.Equal(disputed, page.Items.Count);
    }
}
