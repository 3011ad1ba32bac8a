using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Robustness;

/// <summary>Applies a <see cref="PoisoningDefense"/> to training rows: the data stage of every trainer's <c>Fit</c>.</summary>
public static class PoisoningDefenses
{
    /// <summary>
    /// The rows of <paramref name="table"/> a trainer should train on under <paramref name="defense"/>: all of them for
    /// <see cref="PoisoningDefense.None"/>, else those of the users the detector does not suspect (their positives
    /// are those at or above <paramref name="minRating"/>). <paramref name="detection"/> is null for None.
    /// </summary>
    public static InteractionTable Apply(InteractionTable table, float? minRating, PoisoningDefense defense, out FakeProfileDetection? detection)
    {
        ArgumentNullException.ThrowIfNull(table);
        detection = null;
        if (defense == PoisoningDefense.None) return table;
        if (!Enum.IsDefined(defense)) throw new ArgumentOutOfRangeException(nameof(defense), $"Unknown defence {defense}.");
        var positives = InteractionData.FromTable(table, minRating);
        detection = new FakeProfileDetector().Detect(positives);
        if (detection.SuspectedCount == 0) return table;
        var userIndex = positives.Users.MapColumn(table.Users);
        var keep = new bool[table.Count];
        for (int r = 0; r < keep.Length; r++) keep[r] = !detection.Suspected[userIndex[r]];
        return table.Select(keep, true, table.Source);
    }
}
