using System.Security.Cryptography;

namespace MLNet.Adversarial.Data;

/// <summary>
/// Implicit-feedback positives over fixed user and item vocabularies, stored per user (compressed sparse rows,
/// items sorted, duplicates collapsed). This is what the trainers and evaluators consume.
/// </summary>
public sealed class InteractionData
{
    private readonly int[] _offsets;
    private readonly int[] _items;

    private InteractionData(IdVocabulary users, IdVocabulary items, int[] offsets, int[] itemIndices)
    {
        Users = users;
        Items = items;
        _offsets = offsets;
        _items = itemIndices;
    }

    /// <summary>The user vocabulary (its size is the number of user rows of a model).</summary>
    public IdVocabulary Users { get; }

    /// <summary>The item vocabulary (the catalogue).</summary>
    public IdVocabulary Items { get; }

    /// <summary>Number of distinct (user, item) positives.</summary>
    public int Count => _items.Length;

    /// <summary>The items of <paramref name="user"/>, sorted ascending.</summary>
    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);

    /// <summary>Whether <paramref name="user"/> has <paramref name="item"/> among its positives.</summary>
    public bool Contains(int user, int item) => ItemsOf(user).BinarySearch(item) >= 0;

    /// <summary>CSR offsets: the items of user u are <c>ItemIndices[Offsets[u]..Offsets[u+1]]</c>.</summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>All positives' item indices, grouped by user.</summary>
    public ReadOnlySpan<int> ItemIndices => _items;

    /// <summary>The user index of every positive, in the order of <see cref="ItemIndices"/>.</summary>
    public int[] UserIndicesExpanded()
    {
        var users = new int[_items.Length];
        for (int u = 0; u < Users.Count; u++) users.AsSpan(_offsets[u], _offsets[u + 1] - _offsets[u]).Fill(u);
        return users;
    }

    /// <summary>Number of positives of each item (its popularity).</summary>
    public int[] ItemCounts()
    {
        var counts = new int[Items.Count];
        foreach (var i in _items) counts[i]++;
        return counts;
    }

    /// <summary>Users that have at least one positive.</summary>
    public IEnumerable<int> ActiveUsers()
    {
        for (int u = 0; u < Users.Count; u++) if (_offsets[u + 1] > _offsets[u]) yield return u;
    }

    /// <summary>
    /// Builds positives from parallel index arrays. Negative indices are rejected; duplicates collapse.
    /// </summary>
    public static InteractionData FromIndices(IdVocabulary users, IdVocabulary items, ReadOnlySpan<int> userIndex, ReadOnlySpan<int> itemIndex)
    {
        if (userIndex.Length != itemIndex.Length) throw new ArgumentException("User and item index arrays differ in length.");
        var counts = new int[users.Count + 1];
        for (int r = 0; r < userIndex.Length; r++)
        {
            if ((uint)userIndex[r] >= (uint)users.Count) throw new ArgumentOutOfRangeException(nameof(userIndex), $"Row {r}: user index {userIndex[r]} is outside 0..{users.Count - 1}.");
            if ((uint)itemIndex[r] >= (uint)items.Count) throw new ArgumentOutOfRangeException(nameof(itemIndex), $"Row {r}: item index {itemIndex[r]} is outside 0..{items.Count - 1}.");
            counts[userIndex[r] + 1]++;
        }
        for (int u = 0; u < users.Count; u++) counts[u + 1] += counts[u];
        var fill = counts.AsSpan(0, users.Count).ToArray();
        var flat = new int[userIndex.Length];
        for (int r = 0; r < userIndex.Length; r++) flat[fill[userIndex[r]]++] = itemIndex[r];

        // Sort each user's items and drop duplicates, compacting in place.
        var offsets = new int[users.Count + 1];
        int write = 0;
        for (int u = 0; u < users.Count; u++)
        {
            var row = flat.AsSpan(counts[u], counts[u + 1] - counts[u]);
            row.Sort();
            offsets[u] = write;
            for (int k = 0; k < row.Length; k++)
                if (k == 0 || row[k] != row[k - 1]) flat[write++] = row[k];
        }
        offsets[users.Count] = write;
        Array.Resize(ref flat, write);
        return new InteractionData(users, items, offsets, flat);
    }

    /// <summary>
    /// The positives of <paramref name="table"/> (rows with rating at least <paramref name="minRating"/>, or all rows)
    /// over the given vocabularies. Rows whose user or item is not in the vocabularies are skipped and counted in
    /// <paramref name="skippedUnknown"/>.
    /// </summary>
    public static InteractionData FromTable(InteractionTable table, IdVocabulary users, IdVocabulary items, float? minRating, out int skippedUnknown)
    {
        var u = users.MapColumn(users.Kind == table.Users.Kind ? table.Users : table.Users.AsStrings());
        var i = items.MapColumn(items.Kind == table.Items.Kind ? table.Items : table.Items.AsStrings());
        var keptUsers = new List<int>(u.Length);
        var keptItems = new List<int>(u.Length);
        skippedUnknown = 0;
        for (int r = 0; r < u.Length; r++)
        {
            if (!table.IsPositive(r, minRating)) continue;
            if (u[r] < 0 || i[r] < 0) { skippedUnknown++; continue; }
            keptUsers.Add(u[r]);
            keptItems.Add(i[r]);
        }
        return FromIndices(users, items, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keptUsers),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keptItems));
    }

    /// <summary>
    /// Training positives: vocabularies made of every user and item in <paramref name="table"/> (rows below the
    /// rating threshold still name catalogue entries), positives the rows at or above <paramref name="minRating"/>.
    /// </summary>
    public static InteractionData FromTable(InteractionTable table, float? minRating) =>
        FromTable(table, IdVocabulary.FromColumn(table.Users), IdVocabulary.FromColumn(table.Items), minRating, out _);

    /// <summary>The same positives over a larger item catalogue (e.g. train ∪ test items for evaluation).</summary>
    public InteractionData WithVocabularies(IdVocabulary users, IdVocabulary items)
    {
        var u = new List<int>(Count);
        var it = new List<int>(Count);
        for (int user = 0; user < Users.Count; user++)
        {
            int nu = users.IndexOf(Users, user);
            if (nu < 0) throw new ArgumentException($"User '{Users.GetIdText(user)}' is missing from the new user vocabulary.");
            foreach (var item in ItemsOf(user))
            {
                int ni = items.IndexOf(Items, item);
                if (ni < 0) throw new ArgumentException($"Item '{Items.GetIdText(item)}' is missing from the new item vocabulary.");
                u.Add(nu);
                it.Add(ni);
            }
        }
        return FromIndices(users, items, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(u), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(it));
    }

    /// <summary>The positives of this and <paramref name="other"/> together (same vocabularies required; duplicates collapse).</summary>
    public InteractionData Union(InteractionData other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.Users.Equals(Users) || !other.Items.Equals(Items))
            throw new ArgumentException("Both sets of positives must use the same user and item vocabularies.", nameof(other));
        return FromIndices(Users, Items, [.. UserIndicesExpanded(), .. other.UserIndicesExpanded()], [.. ItemIndices, .. other.ItemIndices]);
    }

    /// <summary>The same positives seen from the items: the vocabularies swap roles, and row i lists the users of item i.</summary>
    public InteractionData Transposed() => FromIndices(Items, Users, ItemIndices, UserIndicesExpanded());

    /// <summary>A SHA-256 over the vocabularies and positives: identifies the training data in model metadata.</summary>
    public string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var ms = new MemoryStream())
        using (var w = new BinaryWriter(ms))
        {
            Users.WriteTo(w);
            Items.WriteTo(w);
            w.Flush();
            sha.AppendData(ms.GetBuffer(), 0, (int)ms.Length);
        }
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_offsets.AsSpan()));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_items.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
