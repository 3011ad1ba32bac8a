namespace MLNet.Adversarial.Data;

/// <summary>
/// A seeded generator of implicit-feedback data with planted latent structure and popularity skew, for tests,
/// demos and benchmarks: personalised models (BPR, APR) clearly beat the popularity baseline on a held-out split.
/// </summary>
/// <remarks>
/// <para>
/// The catalogue is cut into <see cref="Options.Clusters"/> equal latent clusters (a random assignment), and every
/// item gets a Zipf popularity weight <c>1 / rank^s</c> from a random global rank. Each user prefers
/// <see cref="Options.PreferredClustersPerUser"/> distinct clusters with random weights. A draw picks, with
/// probability <see cref="Options.NoiseFraction"/>, an item by global popularity; otherwise a preferred cluster by
/// the user's weights and then an item of that cluster by popularity (cumulative weights and binary search).
/// </para>
/// <para>
/// User activity is log-normal: user <c>u</c> gets <see cref="Options.MinInteractionsPerUser"/> plus a share of the
/// rest proportional to <c>exp(σ·z_u)</c>, so the total is exactly <see cref="Options.Interactions"/>. A user's items
/// are distinct (redraws, then a uniform fill if a user's clusters are exhausted), so there are no duplicate
/// (user, item) rows. Every user draws from an own random stream derived from the seed, so the output does not
/// depend on the number of threads. Ids are <c>1..Users</c> and <c>1..Items</c> (int64); rows are grouped by user.
/// </para>
/// <para>Generation runs in parallel over users into flat arrays: 1M users × 100k items × 20M rows take seconds.</para>
/// </remarks>
public static class SyntheticInteractions
{
    /// <summary>Options of <see cref="Generate"/>; the defaults make a small data set that trains in seconds.</summary>
    public sealed class Options
    {
        /// <summary>Number of users (ids 1..Users).</summary>
        public int Users { get; set; } = 2000;

        /// <summary>Number of items in the catalogue (ids 1..Items). Items nobody draws do not appear in the rows.</summary>
        public int Items { get; set; } = 1000;

        /// <summary>Total number of (user, item) rows.</summary>
        public long Interactions { get; set; } = 80_000;

        /// <summary>Smallest number of rows per user (so that every user can have a held-out part).</summary>
        public int MinInteractionsPerUser { get; set; } = 5;

        /// <summary>σ of the log-normal user activity (0: every user gets about the same number of rows).</summary>
        public double ActivitySpread { get; set; } = 0.7;

        /// <summary>Number of latent item clusters.</summary>
        public int Clusters { get; set; } = 20;

        /// <summary>Number of distinct clusters each user prefers.</summary>
        public int PreferredClustersPerUser { get; set; } = 2;

        /// <summary>Zipf exponent s of the item popularity (0: uniform).</summary>
        public double ZipfExponent { get; set; } = 0.8;

        /// <summary>Fraction of draws made by global popularity alone, ignoring the user's clusters.</summary>
        public double NoiseFraction { get; set; } = 0.1;

        /// <summary>Random seed: the same options give the same rows.</summary>
        public int Seed { get; set; } = 42;

        /// <summary>Upper bound on the worker threads (-1: as many as the runtime likes).</summary>
        public int MaxDegreeOfParallelism { get; set; } = -1;

        /// <summary>Checks the options and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
        public void Validate()
        {
            Check(Users > 0, nameof(Users), "must be positive");
            Check(Items > 0, nameof(Items), "must be positive");
            Check(Clusters > 0 && Clusters <= Items, nameof(Clusters), "must be in 1..Items");
            Check(PreferredClustersPerUser > 0 && PreferredClustersPerUser <= Clusters, nameof(PreferredClustersPerUser), "must be in 1..Clusters");
            Check(MinInteractionsPerUser >= 0 && MinInteractionsPerUser <= Items, nameof(MinInteractionsPerUser), "must be in 0..Items");
            Check(Interactions >= (long)MinInteractionsPerUser * Users, nameof(Interactions), "must be at least MinInteractionsPerUser × Users");
            Check(Interactions <= Math.Min((long)Users * Items, Array.MaxLength), nameof(Interactions), "must not exceed Users × Items (nor the largest array)");
            Check(ActivitySpread >= 0 && double.IsFinite(ActivitySpread), nameof(ActivitySpread), "must not be negative");
            Check(ZipfExponent >= 0 && double.IsFinite(ZipfExponent), nameof(ZipfExponent), "must not be negative");
            Check(NoiseFraction is >= 0 and <= 1, nameof(NoiseFraction), "must be in 0..1");
            Check(MaxDegreeOfParallelism == -1 || MaxDegreeOfParallelism > 0, nameof(MaxDegreeOfParallelism), "must be positive or -1");
        }

        private static void Check(bool ok, string name, string requirement)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, $"Option {name} {requirement}.");
        }
    }

    /// <summary>Generates the rows described by <paramref name="options"/> (defaults when null).</summary>
    public static InteractionTable Generate(Options? options = null)
    {
        var o = options ?? new Options();
        o.Validate();
        var counts = UserCounts(o);
        var offsets = new long[o.Users + 1];
        for (int u = 0; u < o.Users; u++) offsets[u + 1] = offsets[u] + counts[u];
        var catalogue = new Catalogue(o);

        var userIds = new long[o.Interactions];
        var itemIds = new long[o.Interactions];
        Parallel.For(0, o.Users, new ParallelOptions { MaxDegreeOfParallelism = o.MaxDegreeOfParallelism },
            () => new bool[o.Items],
            (u, _, marked) =>
            {
                long start = offsets[u];
                int n = counts[u];
                userIds.AsSpan((int)start, n).Fill(u + 1L);
                var items = itemIds.AsSpan((int)start, n);
                catalogue.DrawUser(u, n, marked, items);
                foreach (var i in items) marked[(int)i] = false;
                for (int k = 0; k < items.Length; k++) items[k] += 1;
                return marked;
            },
            _ => { });
        return new InteractionTable(IdColumn.OfInt64(userIds), IdColumn.OfInt64(itemIds), null, $"synthetic(seed {o.Seed})");
    }

    /// <summary>
    /// Generates the rows and holds out <paramref name="testFraction"/> of each user's rows (seeded, see
    /// <see cref="HoldoutSplit.PerUser"/>) as a test part.
    /// </summary>
    public static HoldoutSplit.Result GenerateSplit(Options? options = null, double testFraction = 0.2)
    {
        var o = options ?? new Options();
        return HoldoutSplit.PerUser(Generate(o), testFraction, unchecked(o.Seed * 31 + 7));
    }

    private static int[] UserCounts(Options o)
    {
        var weights = new double[o.Users];
        var rng = new SplitMix((ulong)(uint)o.Seed * 0x9E3779B97F4A7C15UL + 1);
        double sum = 0;
        for (int u = 0; u < weights.Length; u++) sum += weights[u] = Math.Exp(o.ActivitySpread * rng.NextGaussian());
        long rest = o.Interactions - (long)o.MinInteractionsPerUser * o.Users;
        var counts = new int[o.Users];
        long assigned = 0;
        for (int u = 0; u < counts.Length; u++)
        {
            long extra = Math.Min((long)(rest * (weights[u] / sum)), o.Items - o.MinInteractionsPerUser);
            counts[u] = o.MinInteractionsPerUser + (int)extra;
            assigned += extra;
        }
        // Hand out what rounding and the per-user cap left, one row at a time round-robin over users with room.
        for (int u = 0; assigned < rest; u = (u + 1) % counts.Length)
            if (counts[u] < o.Items) { counts[u]++; assigned++; }
        return counts;
    }

    /// <summary>The item side: clusters, popularity and the cumulative weights drawn from.</summary>
    private sealed class Catalogue
    {
        private readonly Options _o;
        private readonly int[][] _clusterItems;
        private readonly double[][] _clusterCumulative;
        private readonly double[] _globalCumulative;

        public Catalogue(Options o)
        {
            _o = o;
            var rng = new SplitMix((ulong)(uint)o.Seed * 0xD1B54A32D192ED03UL + 2);
            var byCluster = Permutation(o.Items, ref rng);
            var rank = Permutation(o.Items, ref rng);
            var weight = new double[o.Items];
            for (int i = 0; i < weight.Length; i++) weight[i] = Math.Pow(rank[i] + 1, -o.ZipfExponent);
            _globalCumulative = Cumulative(Enumerable.Range(0, o.Items).ToArray(), weight);
            _clusterItems = new int[o.Clusters][];
            _clusterCumulative = new double[o.Clusters][];
            for (int c = 0; c < o.Clusters; c++)
            {
                var items = new List<int>(o.Items / o.Clusters + 1);
                for (int p = c; p < o.Items; p += o.Clusters) items.Add(byCluster[p]);
                _clusterItems[c] = items.ToArray();
                _clusterCumulative[c] = Cumulative(_clusterItems[c], weight);
            }
        }

        /// <summary>Draws <paramref name="destination"/>.Length distinct item indices for user <paramref name="user"/>.</summary>
        public void DrawUser(int user, int count, bool[] marked, Span<long> destination)
        {
            var rng = new SplitMix(((ulong)(uint)_o.Seed << 32 | (uint)user) * 0x9E3779B97F4A7C15UL + 3);
            int preferred = _o.PreferredClustersPerUser;
            Span<int> clusters = preferred <= 64 ? stackalloc int[preferred] : new int[preferred];
            Span<double> cumulative = preferred <= 64 ? stackalloc double[preferred] : new double[preferred];
            double total = 0;
            for (int k = 0; k < preferred; k++)
            {
                int c;
                do c = rng.NextInt(_o.Clusters); while (clusters[..k].Contains(c));
                clusters[k] = c;
                total += 0.2 + rng.NextDouble();
                cumulative[k] = total;
            }

            int filled = 0, attempts = 0, maxAttempts = 20 * count + 100;
            while (filled < count && attempts++ < maxAttempts)
            {
                int item;
                if (rng.NextDouble() < _o.NoiseFraction) item = Find(_globalCumulative, rng.NextDouble() * _globalCumulative[^1]);
                else
                {
                    int k = Find(cumulative, rng.NextDouble() * total);
                    int c = clusters[k];
                    item = _clusterItems[c][Find(_clusterCumulative[c], rng.NextDouble() * _clusterCumulative[c][^1])];
                }
                if (marked[item]) continue;
                marked[item] = true;
                destination[filled++] = item;
            }
            // The user's clusters are (nearly) exhausted: fill with unseen items in a random circular order.
            for (int i = rng.NextInt(_o.Items); filled < count; i = (i + 1) % _o.Items)
            {
                if (marked[i]) continue;
                marked[i] = true;
                destination[filled++] = i;
            }
        }

        /// <summary>The first index whose cumulative weight exceeds <paramref name="x"/>.</summary>
        private static int Find(ReadOnlySpan<double> cumulative, double x)
        {
            int lo = 0, hi = cumulative.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > x) hi = mid; else lo = mid + 1;
            }
            return lo;
        }

        private static double[] Cumulative(int[] items, double[] weight)
        {
            var result = new double[items.Length];
            double sum = 0;
            for (int k = 0; k < items.Length; k++) result[k] = sum += weight[items[k]];
            return result;
        }

        private static int[] Permutation(int n, ref SplitMix rng)
        {
            var p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            for (int i = n - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (p[i], p[j]) = (p[j], p[i]);
            }
            return p;
        }
    }

    /// <summary>SplitMix64: a small, fast, seedable generator, one per user.</summary>
    private struct SplitMix(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        public int NextInt(int n) => (int)((Next() >> 32) * (ulong)n >> 32);

        public double NextGaussian()
        {
            double u1 = 1.0 - NextDouble(), u2 = NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
