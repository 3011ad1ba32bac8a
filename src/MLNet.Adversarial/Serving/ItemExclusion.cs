using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// Which items <see cref="Recommender.Recommend(string, int, ItemExclusion?, IEnumerable{string}?)"/> leaves out:
/// the user's training items (<see cref="Seen"/>, what <c>topk.onnx</c> does), nothing (<see cref="None"/>), or a
/// given list of raw item ids (<see cref="Items(IEnumerable{string})"/>).
/// </summary>
public sealed class ItemExclusion
{
    private readonly string[]? _textIds;
    private readonly long[]? _int64Ids;

    private ItemExclusion(bool seen, string[]? textIds, long[]? int64Ids)
    {
        ExcludesSeen = seen;
        _textIds = textIds;
        _int64Ids = int64Ids;
    }

    /// <summary>Leave out the user's training items (an unknown user has none), as <c>topk.onnx</c> exported with exclusion does.</summary>
    public static ItemExclusion Seen { get; } = new(seen: true, null, null);

    /// <summary>Leave out nothing: rank the whole catalogue (or the candidates).</summary>
    public static ItemExclusion None { get; } = new(seen: false, null, null);

    /// <summary>Leave out exactly these raw item ids (ids not in the catalogue are ignored); the training items stay in.</summary>
    public static ItemExclusion Items(IEnumerable<string> itemIds)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        return new(seen: false, [.. itemIds], null);
    }

    /// <summary>Leave out exactly these raw item ids (ids not in the catalogue are ignored); the training items stay in.</summary>
    public static ItemExclusion Items(IEnumerable<long> itemIds)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        return new(seen: false, null, [.. itemIds]);
    }

    /// <summary>Whether the user's training items are left out.</summary>
    public bool ExcludesSeen { get; }

    /// <summary>The catalogue indices of the given ids (empty for <see cref="Seen"/> and <see cref="None"/>).</summary>
    internal int[] GivenIndices(IdVocabulary items) =>
        _textIds is not null ? Recommender.KnownIndices(items, _textIds.Select(items.IndexOf))
        : _int64Ids is not null ? Recommender.KnownIndices(items, _int64Ids.Select(items.IndexOf))
        : [];
}
