using System.Globalization;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Robustness;

/// <summary>
/// Data poisoning with fake profiles (shilling, Mobasher et al. 2007; Lam and Riedl 2004): adds
/// <see cref="Options.FakeUserFraction"/> × (number of users) fake users to an interaction table, each rating the
/// <see cref="Options.TargetCount"/> target items with the table's highest rating, the <see cref="ShillingProfile"/>'s
/// selected items and <see cref="Options.FillerItems"/> filler items. The fake ids are new ids of the table's kind.
/// Everything drawn depends only on the table and <see cref="Options.Seed"/>.
/// </summary>
public sealed class ShillingAttack
{
    /// <summary>Default values, as in ML.NET's <c>Defaults</c> classes.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="Options.FakeUserFraction"/>.</summary>
        public const double FakeUserFraction = 0.05;
        /// <summary>Default <see cref="Options.TargetCount"/>.</summary>
        public const int TargetCount = 5;
        /// <summary>Default <see cref="Options.SelectedItems"/>.</summary>
        public const int SelectedItems = 10;
        /// <summary>Default <see cref="Options.FillerItems"/>.</summary>
        public const int FillerItems = 10;
        /// <summary>Default <see cref="Options.UnpopularShare"/>.</summary>
        public const double UnpopularShare = 0.25;
    }

    /// <summary>Options for <see cref="ShillingAttack"/>.</summary>
    public sealed class Options
    {
        /// <summary>How the fake profiles are filled.</summary>
        public ShillingProfile Profile { get; set; } = ShillingProfile.Bandwagon;

        /// <summary>The attacker's budget: fake users as a share of the table's users, in (0, 1]; at least one fake user is added.</summary>
        public double FakeUserFraction { get; set; } = Defaults.FakeUserFraction;

        /// <summary>Number of target items drawn when <see cref="Targets"/> is null.</summary>
        public int TargetCount { get; set; } = Defaults.TargetCount;

        /// <summary>
        /// The ids of the items to promote. Null: <see cref="TargetCount"/> items drawn with <see cref="Seed"/> from the
        /// unpopular ones (the least popular <see cref="UnpopularShare"/> of the items with at least one positive).
        /// </summary>
        public IReadOnlyList<string>? Targets { get; set; }

        /// <summary>Share of the items with a positive, least popular first, that the default targets are drawn from; in (0, 1].</summary>
        public double UnpopularShare { get; set; } = Defaults.UnpopularShare;

        /// <summary>Bandwagon: the number of most popular items each fake user rates highest; segment: the number of segment items. Ignored by random and average.</summary>
        public int SelectedItems { get; set; } = Defaults.SelectedItems;

        /// <summary>Filler items per fake user, drawn uniformly from the other items.</summary>
        public int FillerItems { get; set; } = Defaults.FillerItems;

        /// <summary>Rows rated at or above this are the positives that define popularity (null: every row).</summary>
        public float? MinRating { get; set; }

        /// <summary>Seed for the targets, the fillers and their ratings.</summary>
        public int Seed { get; set; }

        /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
        public void Validate()
        {
            Check(Enum.IsDefined(Profile), nameof(Profile), $"must be one of {string.Join(", ", Enum.GetNames<ShillingProfile>())}");
            Check(double.IsFinite(FakeUserFraction) && FakeUserFraction > 0 && FakeUserFraction <= 1, nameof(FakeUserFraction), "must be in (0, 1] (e.g. 0.05 for 5% fake users)");
            Check(Targets is not null || TargetCount > 0, nameof(TargetCount), "must be positive");
            Check(Targets is null || (Targets.Count > 0 && Targets.All(t => !string.IsNullOrWhiteSpace(t))), nameof(Targets), "must name at least one item id, with no blank ids (or be null to draw them)");
            Check(double.IsFinite(UnpopularShare) && UnpopularShare > 0 && UnpopularShare <= 1, nameof(UnpopularShare), "must be in (0, 1]");
            Check(SelectedItems >= 0, nameof(SelectedItems), "must not be negative");
            Check(FillerItems >= 0, nameof(FillerItems), "must not be negative");
            Check(MinRating is null || float.IsFinite(MinRating.Value), nameof(MinRating), "must be finite or null");
        }

        private static void Check(bool ok, string name, string requirement)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, $"Option {name} {requirement}.");
        }
    }

    private readonly Options _options;

    /// <summary>Creates an attack; the options are validated and copied.</summary>
    public ShillingAttack(Options? options = null)
    {
        options ??= new Options();
        options.Validate();
        _options = new Options
        {
            Profile = options.Profile, FakeUserFraction = options.FakeUserFraction, TargetCount = options.TargetCount, Targets = options.Targets?.ToArray(),
            UnpopularShare = options.UnpopularShare, SelectedItems = options.SelectedItems, FillerItems = options.FillerItems, MinRating = options.MinRating, Seed = options.Seed,
        };
    }

    /// <summary>The target items the attack promotes (item indices of <paramref name="positives"/>' vocabulary).</summary>
    /// <exception cref="ArgumentException">A given target is not an item of the table, or the table has too few unpopular items.</exception>
    public int[] ChooseTargets(InteractionData positives)
    {
        ArgumentNullException.ThrowIfNull(positives);
        var items = positives.Items;
        if (_options.Targets is { } given)
        {
            return given.Select(id =>
            {
                int index = items.Kind == IdKind.Int64 && long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? items.IndexOf(v)
                    : items.Kind == IdKind.String ? items.IndexOf(id) : -1;
                if (index < 0) throw new ArgumentException($"Options.Targets: item '{id}' is not an item of the table.", nameof(positives));
                return index;
            }).Distinct().ToArray();
        }
        var counts = positives.ItemCounts();
        var rated = Enumerable.Range(0, counts.Length).Where(i => counts[i] > 0).OrderBy(i => counts[i]).ThenBy(i => i).ToArray();
        int pool = Math.Max(_options.TargetCount, (int)Math.Ceiling(_options.UnpopularShare * rated.Length));
        if (pool > rated.Length)
            throw new ArgumentException($"The table has {rated.Length} items with a positive, fewer than Options.TargetCount = {_options.TargetCount}.", nameof(positives));
        var candidates = rated[..pool];
        new Random(_options.Seed).Shuffle(candidates);
        return candidates[.._options.TargetCount].Order().ToArray();
    }

    /// <summary>The clean rows of <paramref name="clean"/> followed by the fake users' rows.</summary>
    /// <exception cref="ArgumentException">The table has no rows, a target is not one of its items, or it has too few items for the profiles.</exception>
    public PoisonedTable Poison(InteractionTable clean)
    {
        ArgumentNullException.ThrowIfNull(clean);
        if (clean.Count == 0) throw new ArgumentException($"{clean.Source}: the table has no rows to attack.", nameof(clean));
        var o = _options;
        var positives = InteractionData.FromTable(clean, o.MinRating);
        int itemCount = positives.Items.Count;
        var targets = ChooseTargets(positives);
        var rng = new Random(unchecked(o.Seed * 31 + 7));
        var ratings = RatingStatistics.Of(clean, positives.Items);

        var selected = o.Profile switch
        {
            ShillingProfile.Bandwagon => MostPopular(positives, targets, o.SelectedItems),
            ShillingProfile.Segment => Segment(positives, targets, o.SelectedItems),
            _ => [],
        };
        var taken = new HashSet<int>(targets.Concat(selected));
        var fillerPool = Enumerable.Range(0, itemCount).Where(i => !taken.Contains(i)).ToArray();
        int fillers = Math.Min(o.FillerItems, fillerPool.Length);

        int fakeCount = Math.Max(1, (int)Math.Round(o.FakeUserFraction * positives.Users.Count, MidpointRounding.AwayFromZero));
        var fakeIds = NewUserIds(positives.Users, fakeCount);
        var rowsUsers = new List<int>();
        var rowsItems = new List<int>();
        var rowsRatings = new List<float>();
        for (int f = 0; f < fakeCount; f++)
        {
            foreach (var t in targets) Add(f, t, ratings?.Max ?? 0);
            foreach (var s in selected) Add(f, s, ratings?.Max ?? 0);
            // A partial Fisher–Yates draw of the fillers.
            for (int k = 0; k < fillers; k++)
            {
                int pick = k + rng.Next(fillerPool.Length - k);
                (fillerPool[k], fillerPool[pick]) = (fillerPool[pick], fillerPool[k]);
                int item = fillerPool[k];
                float rating = ratings is null ? 0 : o.Profile switch
                {
                    ShillingProfile.Average => ratings.Draw(rng, ratings.ItemMean[item], ratings.ItemSd[item]),
                    ShillingProfile.Segment => ratings.Min,
                    _ => ratings.Draw(rng, ratings.Mean, ratings.Sd),
                };
                Add(f, item, rating);
            }
        }

        void Add(int fake, int item, float rating)
        {
            rowsUsers.Add(fake);
            rowsItems.Add(item);
            rowsRatings.Add(rating);
        }

        var users = Concat(clean.Users, rowsUsers.Select(f => fakeIds[f]).ToArray(), positives.Users.Kind);
        var items = Concat(clean.Items, rowsItems.Select(positives.Items.GetIdText).ToArray(), positives.Items.Kind);
        float[]? allRatings = clean.Ratings is null ? null : [.. clean.Ratings, .. rowsRatings];
        var table = new InteractionTable(users, items, allRatings, clean.Source + " (poisoned)");
        return new PoisonedTable(table, fakeIds, targets.Select(positives.Items.GetIdText).ToArray(), clean.Count);
    }

    /// <summary>The <paramref name="count"/> items with the most positives, targets excluded (ties: lower index first).</summary>
    private static int[] MostPopular(InteractionData positives, int[] targets, int count)
    {
        var counts = positives.ItemCounts();
        return Enumerable.Range(0, counts.Length).Where(i => Array.IndexOf(targets, i) < 0)
            .OrderByDescending(i => counts[i]).ThenBy(i => i).Take(count).ToArray();
    }

    /// <summary>
    /// The attacked segment: the <paramref name="count"/> items most often consumed by the users of the targets
    /// (ties and users-less targets: the most popular first), targets excluded.
    /// </summary>
    private static int[] Segment(InteractionData positives, int[] targets, int count)
    {
        var counts = positives.ItemCounts();
        var together = new int[counts.Length];
        var byItem = positives.Transposed();
        var users = new HashSet<int>();
        foreach (var t in targets) foreach (var u in byItem.ItemsOf(t)) users.Add(u);
        foreach (var u in users) foreach (var i in positives.ItemsOf(u)) together[i]++;
        return Enumerable.Range(0, counts.Length).Where(i => Array.IndexOf(targets, i) < 0)
            .OrderByDescending(i => together[i]).ThenByDescending(i => counts[i]).ThenBy(i => i).Take(count).ToArray();
    }

    /// <summary><paramref name="count"/> user ids absent from <paramref name="users"/>: integers above the largest, or "fake-N" texts.</summary>
    private static string[] NewUserIds(IdVocabulary users, int count)
    {
        if (users.Kind == IdKind.Int64)
        {
            long next = users.Count == 0 ? 1 : checked(users.Int64Ids[^1] + 1);
            return Enumerable.Range(0, count).Select(k => (next + k).ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        string prefix = "fake-";
        while (users.StringIds.ToArray().Any(id => id.StartsWith(prefix, StringComparison.Ordinal))) prefix = "x" + prefix;
        return Enumerable.Range(1, count).Select(k => prefix + k.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    private static IdColumn Concat(IdColumn clean, string[] added, IdKind kind) => kind == IdKind.Int64
        ? IdColumn.OfInt64([.. clean.Int64Values, .. added.Select(a => long.Parse(a, CultureInfo.InvariantCulture))])
        : IdColumn.OfStrings([.. clean.AsStrings().StringValues, .. added]);
}
