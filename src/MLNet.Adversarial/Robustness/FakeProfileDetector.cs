using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Robustness;

/// <summary>
/// An unsupervised detector of fake profiles. Promoting an item takes many profiles that consume it; to rank it for
/// real users they must also resemble each other, so fake users form a tight group. Each user is scored by the mean
/// similarity to its <see cref="Options.Neighbors"/> most similar users (degree of similarity with top neighbours,
/// Chirita et al. 2005), with the cosine of profiles weighted by inverse item frequency, log(users / item's users):
/// sharing rarely consumed items — as promoted targets are — counts far more than sharing blockbusters. A user is
/// suspected when its score is an outlier of the score distribution: its robust z-score (median and scaled median
/// absolute deviation, Iglewicz and Hoaglin 1993) exceeds <see cref="Options.Threshold"/>. Nothing is learned from
/// the attack, and no attack knowledge is assumed.
/// </summary>
/// <remarks>The cost is Σ over items of (its users)², the co-consumption pairs; memory is one row of similarities per thread.</remarks>
public sealed class FakeProfileDetector
{
    /// <summary>Default values, as in ML.NET's <c>Defaults</c> classes.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="Options.Neighbors"/>.</summary>
        public const int Neighbors = 10;
        /// <summary>Default <see cref="Options.Threshold"/>: the usual outlier cut of the robust z-score.</summary>
        public const double Threshold = 3.5;
    }

    /// <summary>Options for <see cref="FakeProfileDetector"/>.</summary>
    public sealed class Options
    {
        /// <summary>How many most similar users a user's score averages over.</summary>
        public int Neighbors { get; set; } = Defaults.Neighbors;

        /// <summary>The robust z-score above which a user is suspected.</summary>
        public double Threshold { get; set; } = Defaults.Threshold;

        /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
        public void Validate()
        {
            if (Neighbors <= 0) throw new ArgumentOutOfRangeException(nameof(Neighbors), $"Option {nameof(Neighbors)} must be positive; got {Neighbors}.");
            if (!double.IsFinite(Threshold) || Threshold <= 0) throw new ArgumentOutOfRangeException(nameof(Threshold), $"Option {nameof(Threshold)} must be a positive number; got {Threshold}.");
        }
    }

    private readonly int _neighbors;
    private readonly double _threshold;

    /// <summary>Creates a detector; the options are validated and copied.</summary>
    public FakeProfileDetector(Options? options = null)
    {
        options ??= new Options();
        options.Validate();
        _neighbors = options.Neighbors;
        _threshold = options.Threshold;
    }

    /// <summary>Scores every user of <paramref name="positives"/> and marks the suspected ones (users without positives are never suspected).</summary>
    public FakeProfileDetection Detect(InteractionData positives)
    {
        ArgumentNullException.ThrowIfNull(positives);
        int userCount = positives.Users.Count;
        var byItem = positives.Transposed();
        var active = positives.ActiveUsers().ToArray();
        var weight = new double[positives.Items.Count];
        for (int i = 0; i < weight.Length; i++)
        {
            int n = byItem.ItemsOf(i).Length;
            weight[i] = n == 0 ? 0 : Math.Log((double)active.Length / n);
        }
        var norm = new double[userCount];
        foreach (var u in active)
        {
            double s = 0;
            foreach (var i in positives.ItemsOf(u)) s += weight[i] * weight[i];
            norm[u] = Math.Sqrt(s);
        }

        var scores = new double[userCount];
        Parallel.For(0, active.Length, () => (Dot: new double[userCount], Touched: new List<int>(), Top: new PriorityQueue<int, double>()), (index, _, ws) =>
        {
            int u = active[index];
            if (norm[u] == 0) return ws;
            foreach (var i in positives.ItemsOf(u))
            {
                double w2 = weight[i] * weight[i];
                if (w2 == 0) continue;
                foreach (var v in byItem.ItemsOf(i))
                {
                    if (v == u) continue;
                    if (ws.Dot[v] == 0) ws.Touched.Add(v);
                    ws.Dot[v] += w2;
                }
            }
            ws.Top.Clear();
            foreach (var v in ws.Touched)
            {
                double cosine = ws.Dot[v] / (norm[u] * norm[v]);
                ws.Dot[v] = 0;
                if (ws.Top.Count < _neighbors) ws.Top.Enqueue(v, cosine);
                else if (ws.Top.TryPeek(out int _, out var lowest) && cosine > lowest) ws.Top.EnqueueDequeue(v, cosine);
            }
            ws.Touched.Clear();
            double sum = 0;
            while (ws.Top.TryDequeue(out int _, out var c)) sum += c;
            scores[u] = sum / _neighbors; // fewer similar users than Neighbors count as similarity 0
            return ws;
        }, _ => { });

        var activeScores = active.Select(u => scores[u]).ToArray();
        double median = Median(activeScores);
        double mad = 1.4826 * Median(activeScores.Select(s => Math.Abs(s - median)).ToArray());
        var z = new double[userCount];
        var suspected = new bool[userCount];
        foreach (var u in active)
        {
            z[u] = mad > 0 ? (scores[u] - median) / mad : 0;
            suspected[u] = z[u] > _threshold;
        }
        return new FakeProfileDetection(positives.Users, scores, z, suspected);
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0) return 0;
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
