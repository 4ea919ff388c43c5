namespace ClaimTracker.Benchmarks.Dataset;

/// <summary>
/// Newsroom words in English and Italian with a Zipf-like frequency, a long tail of rarer words, and two search
/// probes: <see cref="CommonTerm"/> (in several percent of the claims) and <see cref="RareTerm"/> (in about 20 per million).
/// </summary>
public static class Vocabulary
{
    /// <summary>A word that appears in several percent of statements and quotes.</summary>
    public const string CommonTerm = "government";

    /// <summary>A surname that appears in about 20 claims per million (at least one at any scale).</summary>
    public const string RareTerm = "zanardelli";

    public static readonly string[] English =
    [
        "company", "market", "billion", "million", "percent", "report", "sources", "spokesperson", "denied", "confirmed",
        "investment", "chips", "data", "centres", "export", "rules", "sanctions", "ban", "court", "ruling", "law", "order",
        "president", "minister", "agency", "regulator", "shares", "revenue", "profit", "loss", "quarter", "annual",
        "budget", "spending", "plans", "deal", "merger", "acquisition", "contract", "tender", "supply", "demand", "prices",
        "government", "inflation", "rates", "bank", "central", "bonds", "debt", "deficit", "tax", "tariffs", "trade", "imports",
        "exports", "growth", "recession", "jobs", "unemployment", "wages", "strike", "union", "workers", "factory",
        "plant", "energy", "gas", "oil", "electricity", "renewable", "solar", "wind", "nuclear", "emissions", "climate",
        "election", "vote", "parliament", "senate", "coalition", "opposition", "party", "campaign", "poll", "survey",
        "users", "app", "platform", "social", "network", "content", "moderation", "privacy", "security", "breach",
        "hackers", "attack", "police", "investigation", "prosecutors", "charges", "trial", "appeal", "judge", "verdict",
        "hospital", "health", "vaccine", "patients", "doctors", "schools", "students", "teachers", "university",
        "research", "study", "scientists", "technology", "artificial", "intelligence", "model", "software", "hardware",
        "semiconductor", "manufacturing", "capacity", "domestic", "abroad", "international", "foreign", "overseas",
        "announced", "said", "claimed", "stated", "reported", "estimated", "expected", "forecast", "warned", "promised",
        "refused", "agreed", "signed", "approved", "rejected", "suspended", "restored", "launched", "closed", "opened",
        "increase", "decrease", "doubled", "halved", "record", "highest", "lowest", "since", "last", "year", "month",
        "week", "today", "yesterday", "earlier", "later", "first", "second", "third", "new", "old", "major", "small",
        "large", "public", "private", "state", "federal", "regional", "local", "national", "global", "european",
        "chinese", "american", "italian", "german", "french", "british", "japanese", "indian", "brazilian", "russian",
        "ukrainian", "officials", "executives", "analysts", "investors", "consumers", "customers", "citizens", "voters",
        "residents", "migrants", "refugees", "border", "military", "defence", "troops", "ceasefire", "talks", "summit",
        "agreement", "treaty", "sanction", "embargo", "shipment", "port", "airline", "flights", "train", "railway",
        "roads", "housing", "rent", "mortgage", "construction", "property", "insurance", "pension", "benefits",
        "welfare", "subsidy", "grant", "fund", "funding", "aid", "donation", "charity", "scandal", "resignation",
    ];

    public static readonly string[] Italian =
    [
        "azienda", "mercato", "miliardi", "milioni", "cento", "rapporto", "fonti", "portavoce", "smentito", "confermato",
        "investimento", "chip", "dati", "centri", "esportazione", "regole", "sanzioni", "divieto", "tribunale",
        "sentenza", "legge", "decreto", "presidente", "ministro", "agenzia", "autorità", "azioni", "ricavi", "utile",
        "perdita", "trimestre", "annuale", "bilancio", "spesa", "piano", "accordo", "fusione", "acquisizione",
        "contratto", "gara", "fornitura", "domanda", "prezzi", "inflazione", "tassi", "banca", "centrale", "titoli",
        "debito", "deficit", "tasse", "dazi", "commercio", "importazioni", "crescita", "recessione", "lavoro",
        "disoccupazione", "salari", "sciopero", "sindacato", "lavoratori", "fabbrica", "stabilimento", "energia",
        "petrolio", "elettricità", "rinnovabili", "solare", "eolico", "nucleare", "emissioni", "clima", "elezioni",
        "voto", "parlamento", "senato", "coalizione", "opposizione", "partito", "campagna", "sondaggio", "utenti",
        "applicazione", "piattaforma", "rete", "contenuti", "sicurezza", "attacco", "polizia", "indagine", "procura",
        "accuse", "processo", "appello", "giudice", "verdetto", "ospedale", "salute", "vaccino", "pazienti", "medici",
        "scuole", "studenti", "insegnanti", "università", "ricerca", "studio", "tecnologia", "intelligenza",
        "artificiale", "modello", "semiconduttori", "produzione", "capacità", "nazionale", "estero", "internazionale",
        "annunciato", "dichiarato", "affermato", "riferito", "stimato", "previsto", "avvertito", "promesso",
        "rifiutato", "firmato", "approvato", "respinto", "sospeso", "ripristinato", "lanciato", "chiuso", "aperto",
        "aumento", "calo", "raddoppiato", "dimezzato", "record", "scorso", "anno", "mese", "settimana", "oggi", "ieri",
        "nuovo", "grande", "piccolo", "pubblico", "privato", "stato", "regionale", "locale", "globale", "europeo",
        "cinese", "americano", "italiano", "tedesco", "francese", "funzionari", "dirigenti", "analisti", "investitori",
        "consumatori", "clienti", "cittadini", "elettori", "residenti", "confine", "militare", "difesa", "tregua",
        "colloqui", "vertice", "trattato", "porto", "compagnia", "voli", "treno", "ferrovia", "strade", "case",
        "affitto", "mutuo", "costruzione", "assicurazione", "pensione", "sussidio", "fondo", "finanziamento", "aiuti",
        "scandalo", "dimissioni", "governo", "secondo", "informazioni", "corrette", "notizie", "indiscrezioni",
    ];

    private static readonly string[] Syllables =
    [
        "ba", "be", "bri", "ca", "co", "cu", "da", "de", "di", "fa", "fe", "fi", "ga", "ge", "gli", "la", "le", "li",
        "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa",
        "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "vo", "za", "ze", "zi", "tor", "ran", "mel", "sten",
        "dor", "gan", "ber", "kal", "wen", "ston", "ley", "ford", "ham", "ville", "ster", "lund", "berg", "holm",
    ];

    public static readonly string[] FirstNames =
    [
        "Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Chiara", "Matteo", "Sara", "Andrea", "Elena", "John",
        "Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Susan", "Wei", "Li", "Yan",
        "Hui", "Jun", "Anna", "Paolo", "Roberta", "Giovanni", "Valentina", "Emma", "Oliver", "Sofia", "Lorenzo",
    ];

    public static readonly string[] Publishers =
    [
        "Reuters", "Bloomberg", "Financial Times", "Corriere della Sera", "la Repubblica", "Il Sole 24 Ore", "ANSA",
        "The Information", "Wall Street Journal", "New York Times", "The Guardian", "BBC", "South China Morning Post",
        "Nikkei", "Le Monde", "Der Spiegel", "Il Post", "La Stampa", "Associated Press", "Agenzia Nova",
    ];

    public static readonly string[] Tags =
    [
        "ai-chips", "sanctions", "tiktok-ban", "export-controls", "budget", "elections", "climate", "energy", "health",
        "trade", "tariffs", "inflation", "jobs", "housing", "migration", "defence", "privacy", "security", "courts",
        "antitrust", "mergers", "banking", "crypto", "semiconductors", "telecoms", "transport", "education", "tax",
        "pensions", "welfare", "agriculture", "tourism", "media", "social-media", "space", "water", "pollution",
    ];

    /// <summary>The long tail: 20,000 made-up but pronounceable words, the rarest of which occur a handful of times.</summary>
    public static readonly string[] Tail = BuildTail(20_000);

    private static string[] BuildTail(int count)
    {
        var random = new Random(7);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < count)
        {
            var n = 2 + random.Next(3);
            var word = string.Concat(Enumerable.Range(0, n).Select(_ => Syllables[random.Next(Syllables.Length)]));
            if (word != RareTerm && word != CommonTerm) words.Add(word);
        }
        return [.. words];
    }

    /// <summary>A word of <paramref name="language"/> ("en" or "it"): mostly from the common list, Zipf-distributed, sometimes from the tail.</summary>
    public static string Word(Random random, string language)
    {
        if (random.Next(10) == 0) return Tail[Zipf(random, Tail.Length)];
        var list = language == "it" ? Italian : English;
        return list[Zipf(random, list.Length)];
    }

    /// <summary>A rank in [0, n) with probability roughly proportional to 1/(rank+1).</summary>
    public static int Zipf(Random random, int n) =>
        Math.Min(n - 1, (int)Math.Floor(Math.Exp(random.NextDouble() * Math.Log(n + 1)) - 1));

    public static string Surname(Random random) =>
        char.ToUpperInvariant(Tail[random.Next(Tail.Length)][0]) + Tail[random.Next(Tail.Length)][1..];

    public static string Slugify(string text, int maxLength)
    {
        Span<char> buffer = stackalloc char[maxLength];
        var length = 0;
        var dash = false;
        foreach (var ch in text.ToLowerInvariant())
        {
            if (length >= maxLength) break;
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                if (dash && length > 0 && length < maxLength - 1) buffer[length++] = '-';
                buffer[length++] = ch;
                dash = false;
            }
            else
            {
                dash = true;
            }
        }
        return new string(buffer[..length]);
    }
}
