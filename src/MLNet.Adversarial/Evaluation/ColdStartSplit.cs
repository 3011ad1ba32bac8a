using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// The item-cold-start protocol's data: a seeded share of the items is held out with all of its interactions (the
/// cold items); models train on the rest. Cold items are then ranked for the users who have a positive on one of
/// them, <b>among the cold items only</b> (<see cref="ColdTest"/> over the <see cref="ColdItems"/> catalogue, with no
/// training positives to exclude); warm items keep the usual protocol: the users' held-out positives on warm items
/// (<see cref="WarmTest"/>), ranked over the warm catalogue minus each user's training positives.
/// </summary>
public sealed class ColdStartSplit
{
    private ColdStartSplit(InteractionTable trainRows, InteractionData train, InteractionData warmTest, InteractionData coldTest, InteractionData coldExcluded)
    {
        TrainRows = trainRows;
        Train = train;
        WarmTest = warmTest;
        ColdTest = coldTest;
        ColdExcluded = coldExcluded;
    }

    /// <summary>The training rows on warm items, as read (e.g. to carve a validation split from).</summary>
    public InteractionTable TrainRows { get; }

    /// <summary>Training positives: every user, the warm items (the training catalogue).</summary>
    public InteractionData Train { get; }

    /// <summary>Held-out positives on warm items, over <see cref="Train"/>'s vocabularies.</summary>
    public InteractionData WarmTest { get; }

    /// <summary>Every positive on a cold item, over <see cref="Train"/>'s users and the <see cref="ColdItems"/> catalogue.</summary>
    public InteractionData ColdTest { get; }

    /// <summary>No positives, over <see cref="ColdTest"/>'s vocabularies: what the cold ranking excludes (nothing — no user trained on a cold item).</summary>
    public InteractionData ColdExcluded { get; }

    /// <summary>The held-out items.</summary>
    public IdVocabulary ColdItems => ColdTest.Items;

    /// <summary>The users.</summary>
    public IdVocabulary Users => Train.Users;

    /// <summary>
    /// Splits <paramref name="train"/> and <paramref name="test"/> (the usual per-user split): the items of both are
    /// dealt at random (seeded) and <c>round(itemFraction · items)</c> of them become cold. Cold items leave training
    /// entirely; <see cref="ColdTest"/> holds their positives from both tables, <see cref="WarmTest"/> the test table's
    /// positives on warm items. A row is a positive when rated at least <paramref name="minRating"/> (null: every row).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1).</exception>
    public static ColdStartSplit FromTables(InteractionTable train, InteractionTable test, double itemFraction, int seed, float? minRating)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!(itemFraction > 0 && itemFraction < 1)) throw new ArgumentOutOfRangeException(nameof(itemFraction), $"The cold item fraction must be in (0, 1); got {itemFraction}.");
        var allItems = IdVocabulary.Union(IdVocabulary.FromColumn(train.Items), IdVocabulary.FromColumn(test.Items));
        var cold = PickItems(allItems, itemFraction, seed);
        var users = IdVocabulary.Union(IdVocabulary.FromColumn(train.Users), IdVocabulary.FromColumn(test.Users));
        var warmItems = Keep(allItems, i => !cold[i]);
        var coldItems = Keep(allItems, i => cold[i]);

        var trainCold = IsColdRow(train, allItems, cold);
        var testCold = IsColdRow(test, allItems, cold);
        var trainRows = train.Select(trainCold, false, $"{train.Source} (warm items)");
        var warmTrain = InteractionData.FromTable(trainRows, users, warmItems, minRating, out _);
        var warmTest = InteractionData.FromTable(test.Select(testCold, false, $"{test.Source} (warm items)"), users, warmItems, minRating, out _);
        var coldFromTrain = InteractionData.FromTable(train.Select(trainCold, true, $"{train.Source} (cold items)"), users, coldItems, minRating, out _);
        var coldFromTest = InteractionData.FromTable(test.Select(testCold, true, $"{test.Source} (cold items)"), users, coldItems, minRating, out _);
        var coldTest = Merge(coldFromTrain, coldFromTest);
        var none = InteractionData.FromIndices(users, coldItems, [], []);
        return new ColdStartSplit(trainRows, warmTrain, warmTest, coldTest, none);
    }

    /// <summary>
    /// Splits one table: first a per-user holdout of <paramref name="warmTestFraction"/> of each user's positives
    /// (<see cref="HoldoutSplit.PerUser"/>, same seed) for the warm test, then the item split of <see cref="FromTables"/>.
    /// </summary>
    public static ColdStartSplit FromTable(InteractionTable table, double itemFraction, int seed, float? minRating, double warmTestFraction = 0.2)
    {
        ArgumentNullException.ThrowIfNull(table);
        var holdout = HoldoutSplit.PerUser(table, warmTestFraction, seed, minRating);
        return FromTables(holdout.Train, holdout.Holdout, itemFraction, seed, minRating);
    }

    /// <summary>Which items are cold: a seeded shuffle of the catalogue (in id order), the first round(fraction · n) of it.</summary>
    private static bool[] PickItems(IdVocabulary items, double fraction, int seed)
    {
        var order = Enumerable.Range(0, items.Count).ToArray();
        new Random(seed).Shuffle(order);
        int count = (int)Math.Round(fraction * items.Count, MidpointRounding.AwayFromZero);
        var cold = new bool[items.Count];
        foreach (var i in order.AsSpan(0, count)) cold[i] = true;
        return cold;
    }

    private static IdVocabulary Keep(IdVocabulary items, Func<int, bool> keep) => items.Kind == IdKind.Int64
        ? IdVocabulary.FromInt64(Enumerable.Range(0, items.Count).Where(keep).Select(i => items.Int64Ids[i]).ToArray())
        : IdVocabulary.FromStrings(Enumerable.Range(0, items.Count).Where(keep).Select(i => items.StringIds[i]).ToArray());

    private static bool[] IsColdRow(InteractionTable table, IdVocabulary items, bool[] cold)
    {
        var index = items.MapColumn(items.Kind == table.Items.Kind ? table.Items : table.Items.AsStrings());
        return Array.ConvertAll(index, i => cold[i]);
    }

    private static InteractionData Merge(InteractionData a, InteractionData b)
    {
        var users = a.UserIndicesExpanded().Concat(b.UserIndicesExpanded()).ToArray();
        var items = a.ItemIndices.ToArray().Concat(b.ItemIndices.ToArray()).ToArray();
        return InteractionData.FromIndices(a.Users, a.Items, users, items);
    }
}
