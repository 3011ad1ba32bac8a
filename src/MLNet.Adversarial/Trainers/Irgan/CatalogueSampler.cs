namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Draws items from a categorical distribution over the catalogue given as non-negative weights (they need not sum
/// to one): a cumulative table and a binary search per draw. One instance per thread; the table is reused.
/// </summary>
internal sealed class CatalogueSampler(int itemCount)
{
    private readonly double[] _cumulative = new double[itemCount];
    private double _total;

    /// <summary>Prepares draws proportional to <paramref name="weights"/>; returns their sum (0: nothing can be drawn).</summary>
    public double Prepare(ReadOnlySpan<float> weights)
    {
        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            _cumulative[i] = sum;
        }
        _total = sum;
        return sum;
    }

    /// <summary>One item index, with probability weight / sum.</summary>
    public int Draw(Random rng)
    {
        double target = rng.NextDouble() * _total;
        int low = 0, high = _cumulative.Length - 1;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (_cumulative[mid] > target) high = mid;
            else low = mid + 1;
        }
        return low;
    }
}
