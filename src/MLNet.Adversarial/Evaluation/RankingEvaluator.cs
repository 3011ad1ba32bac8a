using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// Top-K ranking evaluation of an <see cref="IItemScorer"/> against held-out positives: Precision, Recall, NDCG,
/// MRR and HitRate at each cut-off, averaged over the users with at least one test positive. Each user's
/// training positives are never ranked; ties are broken by item index ascending, i.e. by raw id, since
/// vocabularies are sorted. Users are evaluated in parallel, with partial top-K selection; results do not depend
/// on the degree of parallelism.
/// </summary>
public sealed class RankingEvaluator
{
    /// <summary>Options for <see cref="RankingEvaluator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The cut-offs to report; each must be positive and may exceed the catalogue size.</summary>
        public int[] Ks { get; set; } = [5, 10, 20];

        /// <summary>How NDCG is normalised. The default is the standard definition.</summary>
        public IdealDcg IdealDcg { get; set; } = IdealDcg.TestItems;

        /// <summary>Full ranking (default) or the sampled protocol.</summary>
        public RankingProtocol Protocol { get; set; } = RankingProtocol.Full;

        /// <summary>Negatives drawn per test positive under <see cref="RankingProtocol.Sampled"/> (fewer when a user has fewer non-interacted items).</summary>
        public int SampledNegatives { get; set; } = 99;

        /// <summary>Seed for the sampled protocol's negatives; each user's draw depends only on the seed and the user index.</summary>
        public int Seed { get; set; }

        /// <summary>Maximum number of users evaluated concurrently; -1 uses every core.</summary>
        public int MaxDegreeOfParallelism { get; set; } = -1;
    }

    private const int MetricCount = 5;
    private readonly int[] _ks;
    private readonly IdealDcg _idealDcg;
    private readonly RankingProtocol _protocol;
    private readonly int _sampledNegatives;
    private readonly int _seed;
    private readonly ParallelOptions _parallel;

    /// <summary>Creates an evaluator; the options are validated and copied.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public RankingEvaluator(Options? options = null)
    {
        options ??= new Options();
        if (options.Ks is null || options.Ks.Length == 0) throw new ArgumentException("Options.Ks must name at least one cut-off.", nameof(options));
        foreach (var k in options.Ks)
            if (k <= 0) throw new ArgumentException($"Every cut-off K must be positive; got {k}.", nameof(options));
        if (options.Protocol == RankingProtocol.Sampled && options.SampledNegatives <= 0)
            throw new ArgumentException($"Options.SampledNegatives must be positive; got {options.SampledNegatives}.", nameof(options));
        if (options.MaxDegreeOfParallelism == 0 || options.MaxDegreeOfParallelism < -1)
            throw new ArgumentException($"Options.MaxDegreeOfParallelism must be positive or -1; got {options.MaxDegreeOfParallelism}.", nameof(options));
        _ks = options.Ks.Distinct().Order().ToArray();
        _idealDcg = options.IdealDcg;
        _protocol = options.Protocol;
        _sampledNegatives = options.SampledNegatives;
        _seed = options.Seed;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
    }

    /// <summary>
    /// Ranks the catalogue for every user with a test positive and averages the metrics over those users.
    /// </summary>
    /// <param name="scorer">Scores the catalogue of <paramref name="test"/> for a user index.</param>
    /// <param name="train">Training positives: never ranked (full protocol) or never sampled (sampled protocol).</param>
    /// <param name="test">Test positives, over the same user and item vocabularies as <paramref name="train"/>.</param>
    /// <exception cref="ArgumentException">The vocabularies differ, or the scorer's catalogue size does not match.</exception>
    public RankingMetrics Evaluate(IItemScorer scorer, InteractionData train, InteractionData test)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!train.Users.Equals(test.Users))
            throw new ArgumentException($"Train and test must share one user vocabulary (train has {train.Users.Count} users, test {test.Users.Count}); build them with TrainTestSplit or InteractionData.WithVocabularies.", nameof(test));
        if (!train.Items.Equals(test.Items))
            throw new ArgumentException($"Train and test must share one item vocabulary (train has {train.Items.Count} items, test {test.Items.Count}); build them with TrainTestSplit or InteractionData.WithVocabularies.", nameof(test));
        if (scorer.ItemCount != test.Items.Count)
            throw new ArgumentException($"The scorer ranks {scorer.ItemCount} items but the catalogue has {test.Items.Count}.", nameof(scorer));

        int itemCount = test.Items.Count;
        int stride = _ks.Length * MetricCount;
        var idealPrefix = new double[Math.Min(_ks[^1], itemCount) + 1];
        for (int j = 1; j < idealPrefix.Length; j++) idealPrefix[j] = idealPrefix[j - 1] + Discount(j - 1);

        var users = test.ActiveUsers().ToArray();
        var perUser = new double[users.Length * stride];
        Parallel.For(0, users.Length, _parallel, () => new Workspace(itemCount, Math.Min(_ks[^1], itemCount)), (index, _, ws) =>
        {
            var dest = perUser.AsSpan(index * stride, stride);
            if (_protocol == RankingProtocol.Full) EvaluateFull(scorer, train, test, users[index], ws, idealPrefix, dest);
            else EvaluateSampled(scorer, train, test, users[index], ws, idealPrefix, dest);
            return ws;
        }, _ => { });

        // Sum in user order so the averages do not depend on scheduling.
        var sums = new double[stride];
        for (int u = 0; u < users.Length; u++)
            for (int m = 0; m < stride; m++) sums[m] += perUser[u * stride + m];
        double n = Math.Max(users.Length, 1);
        var byK = new RankingMetricsAtK[_ks.Length];
        for (int k = 0; k < _ks.Length; k++)
        {
            int o = k * MetricCount;
            byK[k] = new RankingMetricsAtK(_ks[k], sums[o] / n, sums[o + 1] / n, sums[o + 2] / n, sums[o + 3] / n, sums[o + 4] / n);
        }
        return new RankingMetrics(users.Length, byK);
    }

    private void EvaluateFull(IItemScorer scorer, InteractionData train, InteractionData test, int user, Workspace ws, double[] idealPrefix, Span<double> dest)
    {
        scorer.ScoreAllItems(user, ws.Scores);
        var excluded = train.ItemsOf(user);
        foreach (var i in excluded) ws.Marked[i] = true;
        int listLength = Math.Min(ws.Hits.Length, ws.Scores.Length - excluded.Length);
        var queue = ws.Queue;
        queue.Clear();
        if (listLength > 0)
        {
            for (int i = 0; i < ws.Scores.Length; i++)
            {
                if (ws.Marked[i]) continue;
                var key = (Sanitize(ws.Scores[i]), i);
                if (queue.Count < listLength) queue.Enqueue(i, key);
                else queue.EnqueueDequeue(i, key);
            }
        }
        foreach (var i in excluded) ws.Marked[i] = false;

        var hits = ws.Hits.AsSpan(0, listLength);
        for (int rank = listLength - 1; rank >= 0; rank--) hits[rank] = test.Contains(user, queue.Dequeue());
        Accumulate(hits, test.ItemsOf(user).Length, idealPrefix, dest);
    }

    private void EvaluateSampled(IItemScorer scorer, InteractionData train, InteractionData test, int user, Workspace ws, double[] idealPrefix, Span<double> dest)
    {
        scorer.ScoreAllItems(user, ws.Scores);
        var positives = test.ItemsOf(user);
        int available = ws.Scores.Length;
        foreach (var i in train.ItemsOf(user)) if (!ws.Marked[i]) { ws.Marked[i] = true; available--; }
        foreach (var i in positives) if (!ws.Marked[i]) { ws.Marked[i] = true; available--; }

        var rng = new Random(UserSeed(_seed, user));
        var negatives = ws.Negatives;
        foreach (var positive in positives)
        {
            negatives.Clear();
            int count = Math.Min(_sampledNegatives, available);
            if (count == available)
            {
                for (int i = 0; i < ws.Scores.Length; i++) if (!ws.Marked[i]) negatives.Add(i);
            }
            else
            {
                while (negatives.Count < count)
                {
                    int i = rng.Next(ws.Scores.Length);
                    if (ws.Marked[i]) continue;
                    ws.Marked[i] = true;
                    negatives.Add(i);
                }
                foreach (var i in negatives) ws.Marked[i] = false;
            }

            var key = (Sanitize(ws.Scores[positive]), positive);
            int rank = 0;
            foreach (var i in negatives)
                if (ws.Queue.Comparer.Compare((Sanitize(ws.Scores[i]), i), key) > 0) rank++;
            var hits = ws.Hits.AsSpan(0, Math.Min(ws.Hits.Length, count + 1));
            hits.Clear();
            if (rank < hits.Length) hits[rank] = true;
            Accumulate(hits, 1, idealPrefix, dest);
        }
        foreach (var i in train.ItemsOf(user)) ws.Marked[i] = false;
        foreach (var i in positives) ws.Marked[i] = false;
        foreach (ref var value in dest) value /= positives.Length;
    }

    /// <summary>Adds one ranked list's metrics at every K to <paramref name="dest"/> (K-major, metric-minor).</summary>
    private void Accumulate(ReadOnlySpan<bool> hits, int relevant, double[] idealPrefix, Span<double> dest)
    {
        int hitCount = 0, firstHit = -1, k = 0;
        double dcg = 0;
        for (int rank = 0; rank <= hits.Length; rank++)
        {
            // Write every K whose list ends here (K beyond the list length is written once the list is exhausted).
            for (; k < _ks.Length && (_ks[k] == rank || rank == hits.Length); k++)
            {
                int K = _ks[k];
                double ideal = idealPrefix[_idealDcg == IdealDcg.TestItems ? Math.Min(K, relevant) : hitCount];
                var d = dest.Slice(k * MetricCount, MetricCount);
                d[0] += (double)hitCount / K;
                d[1] += relevant > 0 ? (double)hitCount / relevant : 0;
                d[2] += ideal > 0 ? dcg / ideal : 0;
                d[3] += firstHit >= 0 ? 1.0 / (firstHit + 1) : 0;
                d[4] += hitCount > 0 ? 1 : 0;
            }
            if (rank == hits.Length || !hits[rank]) continue;
            hitCount++;
            dcg += Discount(rank);
            if (firstHit < 0) firstHit = rank;
        }
    }

    private static double Discount(int rank) => 1.0 / Math.Log2(rank + 2);

    private static float Sanitize(float score) => float.IsNaN(score) ? float.NegativeInfinity : score;

    private static int UserSeed(int seed, int user)
    {
        // SplitMix64 finaliser: decorrelates the streams of neighbouring users.
        ulong z = ((ulong)(uint)seed << 32 | (uint)user) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    /// <summary>Per-thread buffers, reused across users.</summary>
    private sealed class Workspace(int itemCount, int maxListLength)
    {
        public float[] Scores { get; } = new float[itemCount];
        public bool[] Marked { get; } = new bool[itemCount];
        public bool[] Hits { get; } = new bool[maxListLength];
        public List<int> Negatives { get; } = [];

        /// <summary>A min-queue on (score, -index): its root is the worst of the items kept so far.</summary>
        public PriorityQueue<int, (float Score, int Index)> Queue { get; } = new(Comparer<(float Score, int Index)>.Create(
            static (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Index.CompareTo(a.Index)));
    }
}
