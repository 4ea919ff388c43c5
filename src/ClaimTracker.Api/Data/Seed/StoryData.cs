using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Sources;
using static ClaimTracker.Api.Appearances.Stance;
using static ClaimTracker.Api.Claims.ClaimStatus;

namespace ClaimTracker.Api.Data.Seed;

/// <summary>
/// The facts of the seeded story (README, "Run"): who, which sources, the 16 claims, where the article carries each one
/// (verbatim Italian passages, anchored at seed time) and the editorial history that led to each status.
/// </summary>
internal static class StoryData
{
    /// <summary>Keys naming the story's sources inside this table.</summary>
    public static class Src
    {
        public const string Article = "article";
        public const string AnonymousReports = "anonymous-reports";
        public const string SpokespersonStatement = "spokesperson-statement";
        public const string WednesdayStatement = "wednesday-statement";
        public const string NvidiaReport = "nvidia-sea-report";
        public const string NvidiaDenial = "nvidia-sea-denial";
        public const string ChipsStatement = "own-chips-statement";
        public const string TikTokLaw = "tiktok-law";
        public const string SupremeCourtRuling = "supreme-court-ruling";
        public const string TrumpOrder = "trump-order";
        public const string AppStore = "app-store";
    }

    public const string ArticleTitle = "ByteDance investe 12 miliardi di dollari in chip AI";

    /// <summary>The spokesperson's words as the article quotes them: the whole content of that statement.</summary>
    public const string SpokespersonWords = "Le informazioni fornite in forma anonima sul nostro piano non sono corrette";

    /// <summary>ByteDance's Wednesday statement as the article quotes it (with its typographic apostrophe).</summary>
    public const string WednesdayWords =
        "ByteDance attribuisce grande importanza allo sviluppo e agli investimenti nel campo dell’intelligenza artificiale, " +
        "ma le voci relative al budget e alla pianificazione non sono corrette";

    public static readonly EntitySeed[] Entities =
    [
        new("bytedance", "ByteDance", EntityKind.Organization,
            "Chinese technology company; the parent of TikTok.", ["ByteDance Ltd.", "字节跳动"]),
        new("tiktok", "TikTok", EntityKind.Product, "Short-video social media app owned by ByteDance.", ["抖音"]),
        new("huawei", "Huawei", EntityKind.Organization,
            "Chinese telecommunications and electronics company; makes AI chips.", ["Huawei Technologies", "华为"]),
        new("cambricon", "Cambricon", EntityKind.Organization, "Chinese AI-chip designer.", ["Cambricon Technologies", "寒武纪"]),
        new("nvidia", "Nvidia", EntityKind.Organization,
            "US chip designer whose GPUs, such as the H100, lead the AI-chip market.", ["NVIDIA", "NVIDIA Corporation"]),
        new("chinese-government", "Government of China", EntityKind.Government,
            "The government of the People's Republic of China.", ["Pechino", "Beijing", "Governo cinese", "Chinese government", "中国政府"]),
        new("us-government", "United States government", EntityKind.Government,
            "The federal government of the United States.", ["Stati Uniti", "United States", "Governo degli Stati Uniti", "US government"]),
        new("us-supreme-court", "Supreme Court of the United States", EntityKind.Court,
            "The highest court of the United States.", ["Corte Suprema degli Stati Uniti", "Supreme Court of the United States", "Corte Suprema", "US Supreme Court"]),
        new("donald-trump", "Donald Trump", EntityKind.Person,
            "President of the United States from 20 January 2025.", ["Donald J. Trump", "Trump"]),
        new("apple", "Apple", EntityKind.Organization, "US technology company; runs the App Store.", ["Apple Inc."]),
        new("app-store", "App Store", EntityKind.Product,
            "Apple's app marketplace for iPhone and iPad.", ["Apple Store", "App Store", "Apple App Store"]),
        new("china", "China", EntityKind.Place, "The People's Republic of China.", ["Cina", "People's Republic of China", "中国"]),
    ];

    public static readonly SourceSeed[] Sources =
    [
        // The article's content is the embedded file, filled in by the seed.
        new(Src.Article, SourceKind.Article, ArticleTitle, Language: "it"),
        new(Src.AnonymousReports, SourceKind.Report,
            "Anonymous reports on ByteDance's 2025 AI-chip budget, as relayed in the article",
            SourceReliability.Mixed, Anonymous: true),
        new(Src.SpokespersonStatement, SourceKind.Statement,
            "ByteDance spokesperson on the anonymous report, as quoted in the article",
            Publisher: "ByteDance", Language: "it", Content: SpokespersonWords),
        new(Src.WednesdayStatement, SourceKind.Statement,
            "ByteDance's Wednesday statement on the AI budget rumours, as quoted in the article",
            Publisher: "ByteDance", Language: "it", Content: WednesdayWords),
        new(Src.NvidiaReport, SourceKind.Report,
            "Report that ByteDance kept Nvidia chips in South-East Asian data centres"),
        new(Src.NvidiaDenial, SourceKind.Statement,
            "ByteDance's response denying the report on Nvidia chips in South-East Asia", Publisher: "ByteDance"),
        new(Src.ChipsStatement, SourceKind.Statement,
            "ByteDance's September statement on building its own AI chips", Publisher: "ByteDance"),
        new(Src.TikTokLaw, SourceKind.Other,
            "Protecting Americans from Foreign Adversary Controlled Applications Act (2024)",
            SourceReliability.Credible, Publisher: "United States Congress", Language: "en",
            PublishedAt: new DateTimeOffset(2024, 4, 24, 0, 0, 0, TimeSpan.Zero)),
        new(Src.SupremeCourtRuling, SourceKind.Ruling, "TikTok Inc. v. Garland (Supreme Court of the United States, 17 January 2025)",
            SourceReliability.Credible, Publisher: "Supreme Court of the United States", Language: "en",
            PublishedAt: new DateTimeOffset(2025, 1, 17, 0, 0, 0, TimeSpan.Zero)),
        new(Src.TrumpOrder, SourceKind.Other,
            "Executive order of 20 January 2025 suspending enforcement of the TikTok ban",
            SourceReliability.Credible, Publisher: "The White House", Language: "en",
            PublishedAt: new DateTimeOffset(2025, 1, 20, 0, 0, 0, TimeSpan.Zero)),
        new(Src.AppStore, SourceKind.Other, "Apple App Store (United States): TikTok not restored for US users", Publisher: "Apple"),
    ];

    // The article passages shared by several claims' appearances.
    private const string BudgetPassage = "prevede di investire 12 miliardi di dollari in chip AI nel 2025";
    private const string BudgetRumoursDenied = "le voci relative al budget e alla pianificazione non sono corrette";

    /// <summary>ByteDance's two statements deny the whole anonymous budget report: total, growth and split alike.</summary>
    private static readonly AppearanceSeed[] BudgetDenials =
    [
        new(Src.SpokespersonStatement, Denies, SpokespersonWords),
        new(Src.WednesdayStatement, Denies, BudgetRumoursDenied),
    ];

    private const string BudgetDisputed =
        "ByteDance's spokesperson called the anonymous information incorrect and ByteDance said the budget and planning " +
        "rumours are not correct; no named source confirms the figures.";

    /// <summary>
    /// Each claim's statement in Italian, the article's language, in the article's own words where it has them (its
    /// `statements.it`: what an Italian desk reads, searches and matches against).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ItalianStatements = new Dictionary<string, string>
    {
        ["bytedance-ai-chips-budget-2025"] = "ByteDance prevede di investire circa 12 miliardi di dollari in chip AI nel 2025.",
        ["bytedance-ai-chips-spending-doubles"] =
            "L'investimento previsto da ByteDance in chip AI nel 2025 raddoppierebbe quello dell'anno precedente.",
        ["bytedance-ai-chips-domestic-2025"] =
            "ByteDance prevede di destinare 5,5 miliardi di dollari del budget 2025 per i chip AI ad acquisti in Cina, " +
            "principalmente da Huawei e Cambricon.",
        ["bytedance-ai-chips-abroad-2025"] =
            "ByteDance prevede di destinare 6,8 miliardi di dollari del budget 2025 per i chip AI all'infrastruttura AI all'estero.",
        ["bytedance-denies-anonymous-plan-report"] =
            "Il portavoce di ByteDance ha dichiarato che le informazioni fornite in forma anonima sul piano per i chip AI non sono corrette.",
        ["bytedance-denies-budget-rumours"] =
            "ByteDance ha dichiarato che le voci relative al budget e alla pianificazione per l'intelligenza artificiale non sono " +
            "corrette, pur attribuendo grande importanza agli investimenti nel settore.",
        ["beijing-presses-firms-to-buy-domestic-ai-chips"] =
            "Pechino spinge le aziende cinesi ad acquistare chip AI da fornitori locali e a ridurre la dipendenza dai chip " +
            "statunitensi di Nvidia.",
        ["china-ai-chatbot-users-grew"] =
            "Il numero di utenti di chatbot AI e di app AI in Cina è aumentato notevolmente negli ultimi cinque mesi.",
        ["bytedance-evaded-sanctions-nvidia-sea"] =
            "ByteDance ha eluso le sanzioni statunitensi immagazzinando chip Nvidia nei data center del sud-est asiatico " +
            "invece di portarli in Cina.",
        ["bytedance-no-h100-outside-us"] =
            "ByteDance non ha acquistato chip Nvidia H100 per i suoi data center al di fuori degli Stati Uniti, a causa di una " +
            "regola statunitense di controllo delle esportazioni.",
        ["bytedance-building-own-ai-chips"] =
            "ByteDance ha riferito a settembre di star costruendo i propri chip AI, nella fase iniziale di sviluppo e pensati " +
            "soprattutto per rendere più conveniente il suo sistema di annunci e raccomandazioni.",
        ["us-law-tiktok-sell-or-ban"] =
            "Una legge statunitense imponeva a ByteDance di vendere le attività di TikTok negli Stati Uniti o di subire un " +
            "divieto a partire dal 19 gennaio 2025.",
        ["tiktok-banned-in-us"] =
            "TikTok è stato vietato in tutti gli Stati Uniti dal 19 gennaio 2025 dopo che ByteDance si è rifiutata di venderlo.",
        ["tiktok-restored-after-trump-order"] =
            "TikTok è stato ripristinato negli Stati Uniti dopo che Donald Trump ha firmato un ordine che sospende il divieto " +
            "per un paio di mesi.",
        ["app-store-not-restored-tiktok"] = "L'App Store di Apple non aveva ripristinato TikTok per gli utenti statunitensi.",
        ["bytedance-no-comment-budget"] =
            "ByteDance non ha risposto alle richieste di commentare il suo budget per l'intelligenza artificiale e i suoi piani " +
            "di investimento.",
    };

    public static readonly ClaimSeed[] Claims =
    [
        new("bytedance-ai-chips-budget-2025", ClaimKind.Quantity,
            "ByteDance plans to spend about $12 billion on AI chips in 2025.",
            "bytedance", null, ["ai-chips", "budget"],
            [
                new(Src.Article, Reports, "Secondo recenti rapporti, ByteDance prevede di investire circa 12 miliardi nell’acquisto di chip AI"),
                .. Relayed(Reports, BudgetPassage, Src.AnonymousReports, Asserts),
                .. BudgetDenials,
            ],
            [
                new(InReview, "Relayed from anonymous reports; ByteDance has made no official announcement. " +
                              "Checking against ByteDance's statements.", [Src.Article]),
                new(Disputed, BudgetDisputed + " The reported parts do not add up either: $5.5B + $6.8B = $12.3B, not $12B.",
                    [Src.SpokespersonStatement, Src.WednesdayStatement]),
            ])
        {
            Quantity = new(12_000_000_000m, "USD", Approximate: true, Period: "2025"),
        },

        new("bytedance-ai-chips-spending-doubles", ClaimKind.Assertion,
            "ByteDance's planned AI-chip spending in 2025 would double its spending of the previous year.",
            "bytedance", null, ["ai-chips", "budget"],
            [
                .. Relayed(Reports, "la mossa prevista raddoppierebbe l’investimento dell’azienda rispetto allo scorso anno",
                    Src.AnonymousReports, Asserts),
                .. BudgetDenials,
            ],
            [
                new(Disputed, BudgetDisputed + " The article gives no figure for the previous year's spending.",
                    [Src.SpokespersonStatement, Src.WednesdayStatement]),
            ]),

        new("bytedance-ai-chips-domestic-2025", ClaimKind.Quantity,
            "ByteDance plans to spend $5.5 billion of its 2025 AI-chip budget on purchases in China, mainly from Huawei and Cambricon.",
            "bytedance", null, ["ai-chips", "budget", "domestic-chips"],
            [
                .. Relayed(Reports, "Mentre l’investimento interno dovrebbe essere di 5,5 miliardi di dollari",
                    Src.AnonymousReports, Asserts),
                new(Src.Article, Reports,
                    "Gli acquisti nazionali verrebbero effettuati principalmente da produttori famosi come Huawei e Cambricon"),
                .. BudgetDenials,
            ],
            [
                new(Disputed, BudgetDisputed + " The reported split, $5.5B + $6.8B = $12.3B, exceeds the $12B total by $0.3B.",
                    [Src.SpokespersonStatement, Src.WednesdayStatement]),
            ])
        {
            Quantity = new(5_500_000_000m, "USD", Approximate: false, Period: "2025", Scope: "domestic"),
            PartOf = "bytedance-ai-chips-budget-2025",
        },

        new("bytedance-ai-chips-abroad-2025", ClaimKind.Quantity,
            "ByteDance plans to spend $6.8 billion of its 2025 AI-chip budget on AI infrastructure abroad.",
            "bytedance", null, ["ai-chips", "budget"],
            [
                .. Relayed(Reports, "i restanti 6,8 miliardi di dollari saranno destinati all’infrastruttura AI all’estero",
                    Src.AnonymousReports, Asserts),
                .. BudgetDenials,
            ],
            [
                new(Disputed, BudgetDisputed + " The reported split, $5.5B + $6.8B = $12.3B, exceeds the $12B total by $0.3B.",
                    [Src.SpokespersonStatement, Src.WednesdayStatement]),
            ])
        {
            Quantity = new(6_800_000_000m, "USD", Approximate: false, Period: "2025", Scope: "abroad"),
            PartOf = "bytedance-ai-chips-budget-2025",
        },

        new("bytedance-denies-anonymous-plan-report", ClaimKind.Assertion,
            "A ByteDance spokesperson said the information provided anonymously about its AI-chip plan is not correct.",
            "bytedance", "bytedance", ["ai-chips", "budget", "denial"],
            [
                new(Src.Article, Reports, "il portavoce della società ha dichiarato che l’annuncio anonimo sui loro piani non è vero"),
                new(Src.Article, Reports, SpokespersonWords),
                new(Src.SpokespersonStatement, Asserts, SpokespersonWords),
            ],
            [
                new(Confirmed, "The article quotes the spokesperson's words verbatim and attributes them to ByteDance.",
                    [Src.SpokespersonStatement, Src.Article]),
            ]),

        new("bytedance-denies-budget-rumours", ClaimKind.Assertion,
            "ByteDance said the rumours about its AI budget and planning are not correct, while stressing that it attaches " +
            "great importance to developing and investing in AI.",
            "bytedance", "bytedance", ["ai-chips", "budget", "denial"],
            [
                new(Src.Article, Reports, WednesdayWords),
                new(Src.WednesdayStatement, Asserts, WednesdayWords),
            ],
            [
                new(Confirmed, "The article quotes ByteDance's Wednesday statement verbatim and attributes it to its spokesperson.",
                    [Src.WednesdayStatement, Src.Article]),
            ]),

        new("beijing-presses-firms-to-buy-domestic-ai-chips", ClaimKind.Assertion,
            "Beijing is pressing Chinese companies to buy AI chips from domestic suppliers and to rely less on Nvidia's US chips.",
            "chinese-government", null, ["ai-chips", "china-policy"],
            [
                new(Src.Article, Asserts, "le aziende tecnologiche cinesi si trovano ad affrontare la pressione di Pechino"),
                new(Src.Article, Asserts,
                    "alle aziende cinesi viene chiesto di acquistare chip AI da aziende locali e di ridurre la loro dipendenza dai chip AI statunitensi di Nvidia"),
            ],
            [
                new(InReview, "The article states it without naming a source; checking against published Chinese guidance.",
                    [Src.Article]),
            ]),

        new("china-ai-chatbot-users-grew", ClaimKind.Assertion,
            "The number of users of AI chatbots and AI apps in China grew markedly over the last five months.",
            "china", null, ["ai-adoption"],
            [
                new(Src.Article, Asserts,
                    "Il numero di utenti di chatbot AI e di utenti di app AI è aumentato notevolmente in Cina negli ultimi cinque mesi"),
            ],
            [
                new(Inconclusive, "The article gives neither a source nor figures for the growth; the evidence at hand does not settle it.",
                    [Src.Article]),
            ]),

        new("bytedance-evaded-sanctions-nvidia-sea", ClaimKind.Assertion,
            "ByteDance evaded US sanctions by keeping Nvidia chips in data centres in South-East Asia instead of bringing them into China.",
            "bytedance", null, ["ai-chips", "export-controls", "sanctions"],
            [
                .. Relayed(Reports,
                    "Un recente rapporto suggerisce che la società abbia eluso le sanzioni statunitensi immagazzinando Nvidia chip nei data center del sud-est asiatico",
                    Src.NvidiaReport, Asserts),
                new(Src.NvidiaDenial, Denies, "cosa che è stata immediatamente rifiutata dall’azienda"),
            ],
            [
                new(Disputed, "A single unnamed report; ByteDance rejected it immediately and no other source supports it.",
                    [Src.NvidiaDenial]),
            ]),

        new("bytedance-no-h100-outside-us", ClaimKind.Assertion,
            "ByteDance has not bought Nvidia H100 chips for its data centres outside the US, because of a US export-control rule.",
            "bytedance", "bytedance", ["ai-chips", "export-controls", "denial"],
            [
                .. Relayed(Reports,
                    "ByteDance ha osservato che la società non ha acquistato H100 per i suoi data center al di fuori degli Stati Uniti poiché negli Stati Uniti esisteva una regola di controllo delle esportazioni",
                    Src.NvidiaDenial, Asserts),
            ],
            [
                new(Inconclusive, "ByteDance's own account, relayed in paraphrase; there is no independent evidence either way.",
                    [Src.NvidiaDenial, Src.Article]),
            ]),

        new("bytedance-building-own-ai-chips", ClaimKind.Assertion,
            "ByteDance said in September that it is building its own AI chips, at an early stage of development and mainly to " +
            "make its advertising and recommendation systems cheaper to run.",
            "bytedance", "bytedance", ["ai-chips", "in-house-chips"],
            [
                .. Relayed(Reports, "ByteDance ha anche riferito che stava costruendo i propri chip AI a settembre",
                    Src.ChipsStatement, Asserts),
                new(Src.Article, Reports,
                    "i chip AI erano nella fase iniziale di sviluppo e miravano maggiormente a rendere il suo sistema di annunci e raccomandazioni più conveniente"),
            ],
            [
                new(Confirmed, "ByteDance made the statement itself in September; the claim is what it said.", [Src.ChipsStatement]),
            ]),

        new("us-law-tiktok-sell-or-ban", ClaimKind.Event,
            "A US law required ByteDance to sell TikTok's US business or face a ban in the US from 19 January 2025.",
            "tiktok", null, ["tiktok-ban", "us-law"],
            [
                .. Relayed(Asserts,
                    "Questa regola richiedeva alla società madre di vendere le proprie azioni statunitensi o di subire un divieto a partire dal 19 gennaio",
                    Src.TikTokLaw, Asserts),
                new(Src.SupremeCourtRuling, Supports, "la sentenza della Corte Suprema sul divieto persiste"),
            ],
            [
                new(Confirmed, "The Protecting Americans from Foreign Adversary Controlled Applications Act (2024) set 19 January 2025 " +
                               "as the deadline to divest TikTok; the Supreme Court upheld it on 17 January 2025.",
                    [Src.TikTokLaw, Src.SupremeCourtRuling]),
            ])
        {
            OccurredOn = new DateOnly(2025, 1, 19),
        },

        new("tiktok-banned-in-us", ClaimKind.Event,
            "TikTok was banned across the US from 19 January 2025 after ByteDance refused to sell it.",
            "tiktok", null, ["tiktok-ban"],
            [
                new(Src.Article, Asserts,
                    "Poiché la società si è rifiutata di vendere le azioni, la popolare piattaforma di social media è stata vietata in tutti gli Stati Uniti dal 19 gennaio"),
                new(Src.SupremeCourtRuling, Supports,
                    "un divieto da parte della Corte Suprema degli Stati Uniti sulla sua popolare piattaforma di social media, TikTok"),
            ],
            [
                new(Confirmed, "The Supreme Court upheld the law on 17 January 2025 (TikTok Inc. v. Garland); the ban took effect " +
                               "on 19 January 2025 without a sale.", [Src.SupremeCourtRuling, Src.Article]),
            ])
        {
            OccurredOn = new DateOnly(2025, 1, 19),
        },

        new("tiktok-restored-after-trump-order", ClaimKind.Event,
            "TikTok was restored in the US after Donald Trump signed an order suspending the ban for a couple of months.",
            "tiktok", null, ["tiktok-ban", "executive-order"],
            [
                new(Src.Article, Reports,
                    "alcuni rapporti rilevano che l’app è stata ripristinata quando Donald Trump ha firmato una regola per sospendere il divieto per un paio di mesi"),
                new(Src.TrumpOrder, Supports, "Donald Trump ha firmato una regola per sospendere il divieto per un paio di mesi"),
            ],
            [
                new(Confirmed, "Donald Trump's executive order of 20 January 2025 suspended enforcement of the ban for 75 days; " +
                               "TikTok's service for US users resumed.", [Src.TrumpOrder]),
            ])
        {
            OccurredOn = new DateOnly(2025, 1, 20),
        },

        new("app-store-not-restored-tiktok", ClaimKind.Assertion,
            "Apple's App Store had not restored TikTok for users in the US.",
            "app-store", null, ["tiktok-ban", "app-store"],
            [.. Relayed(Asserts, "l’Apple Store non ha ripristinato l’app per il suo pubblico statunitense", Src.AppStore, Supports)],
            [
                new(Confirmed, "TikTok was still unavailable to US users in Apple's App Store when this was checked.", [Src.AppStore]),
            ]),

        new("bytedance-no-comment-budget", ClaimKind.Assertion,
            "ByteDance did not answer requests for comment on its AI budget and investment plans.",
            "bytedance", null, ["budget", "no-comment"],
            [new(Src.Article, Asserts, "non ha risposto alle richieste di commentare il suo budget e i suoi piani di investimenti")],
            [
                new(InReview, "The article says so without naming who asked or when; checking with the newsroom that made the request.",
                    [Src.Article]),
            ]),
    ];

    /// <summary>
    /// The article carries a source that has no text of its own: both appearances quote the article's words,
    /// anchored in the article and unanchored in the relayed source.
    /// </summary>
    private static AppearanceSeed[] Relayed(Stance articleStance, string passage, string source, Stance sourceStance) =>
        [new(Src.Article, articleStance, passage), new(source, sourceStance, passage)];
}

internal sealed record EntitySeed(string Slug, string Name, EntityKind Kind, string Description, string[] Aliases);

/// <summary>A source of the story; a null <see cref="Content"/> means the story holds no text of it.</summary>
internal sealed record SourceSeed(
    string Key, SourceKind Kind, string Title, SourceReliability Reliability = SourceReliability.Unrated,
    string? Publisher = null, string? Language = null, DateTimeOffset? PublishedAt = null, bool Anonymous = false,
    string? Content = null);

/// <summary>A claim in a source: the quote is anchored in the source's text when it has any.</summary>
internal sealed record AppearanceSeed(string Source, Stance Stance, string Exact);

/// <summary>A status change; its evidence is this claim's appearances in the named sources.</summary>
internal sealed record StatusStep(ClaimStatus To, string Reason, string[] Evidence);

internal sealed record QuantitySeed(decimal Amount, string Unit, bool Approximate, string? Period = null, string? Scope = null);

internal sealed record ClaimSeed(
    string Slug, ClaimKind Kind, string Statement, string Subject, string? Claimant, string[] Tags,
    AppearanceSeed[] Appearances, StatusStep[] History)
{
    public QuantitySeed? Quantity { get; init; }
    public DateOnly? OccurredOn { get; init; }
    /// <summary>The slug of the claim this one is part of; it must come earlier in the table.</summary>
    public string? PartOf { get; init; }
}
