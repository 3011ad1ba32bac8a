using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Draws each epoch's training pairs — the positives in a shuffled order, and the negatives (or the candidates of
/// the dynamic sampler) — and draws the next epoch's on a second core while the current one trains: TorchSharp
/// trains on one thread, and sampling was a sixth of an epoch on large catalogues. Each epoch has its own RNG, seeded
/// from the seed and the epoch number, so the pairs do not depend on the prefetching (nor on resuming).
/// </summary>
internal sealed class EpochSampler : IDisposable
{
    /// <summary>One epoch's pairs: user, positive and negatives (<c>candidates</c> per pair) of pair k at index k.</summary>
    public sealed class Pairs(long count, int candidates, int positives)
    {
        public readonly long[] Users = new long[count];
        public readonly long[] Positives = new long[count];
        public readonly long[] Negatives = new long[count * candidates];
        internal readonly int[] Order = new int[positives];
    }

    private readonly InteractionData _train;
    private readonly int[] _posUsers;
    private readonly int[] _posItems;
    private readonly int _negativesPerPositive;
    private readonly int _candidates;
    private readonly int _seed;
    private readonly Pairs?[] _buffers = new Pairs?[2]; // the second only once a prefetch needs it
    private Task<Pairs>? _next;
    private int _nextEpoch;

    public EpochSampler(InteractionData train, int negativesPerPositive, int candidates, int seed)
    {
        NegativeSampler.EnsureNegativesExist(train);
        _train = train;
        _posUsers = train.UserIndicesExpanded();
        _posItems = train.ItemIndices.ToArray();
        _negativesPerPositive = negativesPerPositive;
        _candidates = candidates;
        _seed = seed;
        PairCount = (long)_posUsers.Length * negativesPerPositive;
        if (PairCount > int.MaxValue) throw new NotSupportedException($"{PairCount} training pairs per epoch exceed the supported 2^31-1.");
    }

    /// <summary>Training pairs per epoch.</summary>
    public long PairCount { get; }

    /// <summary>
    /// The pairs of <paramref name="epoch"/>; then starts drawing <paramref name="prefetch"/>'s (if any) into the
    /// other buffer, so the returned pairs stay valid until the next call.
    /// </summary>
    public Pairs Get(int epoch, int? prefetch)
    {
        Pairs current;
        if (_next is not null && _nextEpoch == epoch) current = _next.Result;
        else
        {
            _next?.Wait();
            current = Fill(epoch, Buffer(epoch & 1));
        }
        _next = null;
        if (prefetch is { } following)
        {
            _nextEpoch = following;
            var buffer = Buffer(_buffers[following & 1] == current ? (following + 1) & 1 : following & 1);
            _next = Task.Run(() => Fill(following, buffer));
        }
        return current;
    }

    private Pairs Buffer(int index) => _buffers[index] ??= new Pairs(PairCount, _candidates, _posUsers.Length);

    private Pairs Fill(int epoch, Pairs pairs)
    {
        var rng = new Random(unchecked(_seed * 1_000_003 + epoch));
        var sampler = new NegativeSampler(_train, rng);
        var order = pairs.Order;
        for (int r = 0; r < order.Length; r++) order[r] = r;
        rng.Shuffle(order);
        for (int r = 0, k = 0; r < order.Length; r++)
            for (int n = 0; n < _negativesPerPositive; n++, k++)
            {
                int p = order[r];
                pairs.Users[k] = _posUsers[p];
                pairs.Positives[k] = _posItems[p];
                sampler.Fill(_posUsers[p], pairs.Negatives.AsSpan(k * _candidates, _candidates));
            }
        return pairs;
    }

    /// <summary>Waits for a prefetch still running (after early stopping or an exception).</summary>
    public void Dispose()
    {
        try { _next?.Wait(); } catch (AggregateException) { }
    }
}
