using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Robustness;

/// <summary>The rating scale of a table and the mean and deviation of its ratings, overall and per item: what a shilling profile imitates.</summary>
internal sealed class RatingStatistics
{
    private RatingStatistics(float min, float max, bool whole, double mean, double sd, double[] itemMean, double[] itemSd)
    {
        Min = min; Max = max; Whole = whole; Mean = mean; Sd = sd; ItemMean = itemMean; ItemSd = itemSd;
    }

    public float Min { get; }
    public float Max { get; }

    /// <summary>Whether every rating is a whole number (drawn ratings are then rounded).</summary>
    public bool Whole { get; }

    public double Mean { get; }
    public double Sd { get; }
    public double[] ItemMean { get; }

    /// <summary>Per item; the global deviation for items with fewer than two ratings.</summary>
    public double[] ItemSd { get; }

    /// <summary>The statistics of <paramref name="table"/>'s ratings over <paramref name="items"/>; null when the table has no ratings.</summary>
    public static RatingStatistics? Of(InteractionTable table, IdVocabulary items)
    {
        if (table.Ratings is not { } ratings) return null;
        var index = items.MapColumn(items.Kind == table.Items.Kind ? table.Items : table.Items.AsStrings());
        var sum = new double[items.Count];
        var squares = new double[items.Count];
        var n = new int[items.Count];
        double total = 0, totalSquares = 0;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        bool whole = true;
        for (int r = 0; r < ratings.Length; r++)
        {
            float v = ratings[r];
            min = Math.Min(min, v); max = Math.Max(max, v);
            whole &= v == MathF.Round(v);
            total += v; totalSquares += (double)v * v;
            sum[index[r]] += v; squares[index[r]] += (double)v * v; n[index[r]]++;
        }
        double mean = total / ratings.Length;
        double sd = Math.Sqrt(Math.Max(0, totalSquares / ratings.Length - mean * mean));
        var itemMean = new double[items.Count];
        var itemSd = new double[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            itemMean[i] = n[i] > 0 ? sum[i] / n[i] : mean;
            itemSd[i] = n[i] > 1 ? Math.Sqrt(Math.Max(0, squares[i] / n[i] - itemMean[i] * itemMean[i])) : sd;
        }
        return new RatingStatistics(min, max, whole, mean, sd, itemMean, itemSd);
    }

    /// <summary>A rating from N(<paramref name="mean"/>, <paramref name="sd"/>), rounded when the scale is whole, clipped to the scale.</summary>
    public float Draw(Random rng, double mean, double sd)
    {
        // Box–Muller.
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        double v = mean + sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        if (Whole) v = Math.Round(v, MidpointRounding.AwayFromZero);
        return (float)Math.Clamp(v, Min, Max);
    }
}
