namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Finds the distinct rows a batch touches and, for every position, which distinct row it is, in O(batch) with a
/// generation-stamped slot table (no sorting, no allocation per call). Row-sparse updates need exactly this:
/// each touched row gathered and written back once.
/// </summary>
internal sealed class RowDeduplicator
{
    private readonly int[] _slot;
    private readonly int[] _stamp;
    private int _generation;

    public RowDeduplicator(int rowCount)
    {
        _slot = new int[rowCount];
        _stamp = new int[rowCount];
    }

    /// <summary>
    /// Deduplicates <paramref name="first"/> followed by <paramref name="second"/>. Writes the distinct rows, in
    /// order of first appearance, to the front of <paramref name="rows"/> and each position's slot to
    /// <paramref name="inverse"/>; returns the number of distinct rows.
    /// </summary>
    public int Deduplicate(ReadOnlySpan<long> first, ReadOnlySpan<long> second, Span<long> rows, Span<long> inverse)
    {
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamp);
            _generation = 1;
        }
        int distinct = 0;
        distinct = Add(first, rows, inverse, distinct);
        return Add(second, rows, inverse[first.Length..], distinct);
    }

    private int Add(ReadOnlySpan<long> indices, Span<long> rows, Span<long> inverse, int distinct)
    {
        for (int k = 0; k < indices.Length; k++)
        {
            int row = (int)indices[k];
            if (_stamp[row] != _generation)
            {
                _stamp[row] = _generation;
                _slot[row] = distinct;
                rows[distinct++] = row;
            }
            inverse[k] = _slot[row];
        }
        return distinct;
    }
}
