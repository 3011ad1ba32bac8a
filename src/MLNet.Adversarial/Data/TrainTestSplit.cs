namespace MLNet.Adversarial.Data;

/// <summary>
/// Training and test positives over one shared catalogue, as ranking evaluation needs them: the users and items
/// are the union of both tables' ids (rows below the rating threshold still name catalogue entries), so a test
/// item never seen in training is still ranked, and both sides index the same vocabularies.
/// </summary>
public sealed class TrainTestSplit
{
    private TrainTestSplit(InteractionData train, InteractionData test)
    {
        Train = train;
        Test = test;
    }

    /// <summary>Training positives: excluded from each user's ranking and used to fit or score baselines.</summary>
    public InteractionData Train { get; }

    /// <summary>Test positives: the relevant items of each user.</summary>
    public InteractionData Test { get; }

    /// <summary>
    /// Builds the split from two tables; a row is a positive when its rating is at least <paramref name="minRating"/>
    /// (null: every row is a positive, as in implicit-feedback files).
    /// </summary>
    public static TrainTestSplit FromTables(InteractionTable train, InteractionTable test, float? minRating)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var users = IdVocabulary.Union(IdVocabulary.FromColumn(train.Users), IdVocabulary.FromColumn(test.Users));
        var items = IdVocabulary.Union(IdVocabulary.FromColumn(train.Items), IdVocabulary.FromColumn(test.Items));
        return new TrainTestSplit(
            InteractionData.FromTable(train, users, items, minRating, out _),
            InteractionData.FromTable(test, users, items, minRating, out _));
    }

    /// <summary>Reads two interaction files (see <see cref="InteractionFileReader"/>) and builds the split.</summary>
    public static TrainTestSplit FromFiles(string trainPath, string testPath, float? minRating) =>
        FromTables(InteractionFileReader.Read(trainPath), InteractionFileReader.Read(testPath), minRating);
}
