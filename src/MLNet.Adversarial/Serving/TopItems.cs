namespace MLNet.Adversarial.Serving;

/// <summary>
/// The n best items of a score row, in ONNX <c>TopK</c>'s order (descending score, ties by the lower index), with a
/// bounded heap: O(items · log n) time and O(n) memory, whatever the catalogue's size.
/// </summary>
internal static class TopItems
{
    /// <summary>The indices of the at most <paramref name="n"/> best items not <paramref name="blocked"/>, best first.</summary>
    public static int[] Select(ReadOnlySpan<float> scores, ReadOnlySpan<bool> blocked, int n)
    {
        var heap = new int[Math.Min(n, scores.Length)]; // heap[0] is the worst item kept so far
        int size = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (blocked[i]) continue;
            if (size < heap.Length)
            {
                heap[size] = i;
                SiftUp(heap, size++, scores);
            }
            else if (size > 0 && Better(i, heap[0], scores))
            {
                heap[0] = i;
                SiftDown(heap, size, scores);
            }
        }
        var kept = new (float Score, int Index)[size];
        for (int r = 0; r < size; r++) kept[r] = (scores[heap[r]], heap[r]);
        Array.Sort(kept, (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        return [.. kept.Select(k => k.Index)];
    }

    private static bool Better(int a, int b, ReadOnlySpan<float> scores) => scores[a] > scores[b] || (scores[a] == scores[b] && a < b);

    private static void SiftUp(int[] heap, int at, ReadOnlySpan<float> scores)
    {
        while (at > 0)
        {
            int parent = (at - 1) / 2;
            if (!Better(heap[parent], heap[at], scores)) break;
            (heap[parent], heap[at]) = (heap[at], heap[parent]);
            at = parent;
        }
    }

    private static void SiftDown(int[] heap, int size, ReadOnlySpan<float> scores)
    {
        for (int at = 0; ;)
        {
            int worst = at, left = 2 * at + 1, right = left + 1;
            if (left < size && Better(heap[worst], heap[left], scores)) worst = left;
            if (right < size && Better(heap[worst], heap[right], scores)) worst = right;
            if (worst == at) return;
            (heap[worst], heap[at]) = (heap[at], heap[worst]);
            at = worst;
        }
    }
}
