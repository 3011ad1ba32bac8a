using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Text;

/// <summary>
/// Text embeddings keyed by raw id — of items (titles, genres, descriptions) or of users — for the hybrid recommender
/// (<c>Trainers.FactorizationTrainerOptions.ItemText</c>). Every embedding has the same width. Build it from a
/// file (<see cref="FromFile"/>: a MovieLens <c>u.item</c>, or <c>FILE:COLUMNS</c>) through a <see cref="TextEncoder"/>,
/// from an <see cref="IDataView"/> with a vector column such as <c>EmbedText</c> makes (<see cref="FromDataView"/>), or
/// from embeddings computed elsewhere.
/// </summary>
/// <remarks>
/// An id of the model's catalogue with no embedding here gets the mean embedding of those that have one
/// (<see cref="RowsFor"/>): its text part is then the average one, and its score comes from its id part alone.
/// </remarks>
public sealed class TextFeatures
{
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<long, int> _byNumber = []; // integer ids by value, so "007" finds "7"
    private readonly float[] _embeddings;

    /// <summary>Creates the table; <paramref name="name"/> (a file or column) is named in errors.</summary>
    /// <exception cref="ArgumentException">No rows, counts differ, an id is repeated or empty, or an embedding has another width than the first or a non-finite value.</exception>
    public TextFeatures(IReadOnlyList<string> ids, IReadOnlyList<float[]> embeddings, string name)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (ids.Count != embeddings.Count) throw new ArgumentException($"{name}: {ids.Count} ids but {embeddings.Count} embeddings.", nameof(embeddings));
        if (ids.Count == 0) throw new ArgumentException($"{name} has no embeddings.", nameof(ids));
        Name = name;
        Dimension = embeddings[0]?.Length ?? 0;
        if (Dimension == 0) throw new ArgumentException($"{name}: the embedding of id '{ids[0]}' is empty.", nameof(embeddings));
        _embeddings = new float[checked(ids.Count * Dimension)];
        _index = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (int r = 0; r < ids.Count; r++)
        {
            var id = ids[r];
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException($"{name}: row {r} has an empty id.", nameof(ids));
            var e = embeddings[r];
            if (e is null || e.Length != Dimension)
                throw new ArgumentException($"{name}: the embedding of id '{id}' has {e?.Length ?? 0} values; the first one has {Dimension}. Every embedding must have the same width.", nameof(embeddings));
            foreach (var v in e)
                if (!float.IsFinite(v)) throw new ArgumentException($"{name}: the embedding of id '{id}' holds a non-finite value.", nameof(embeddings));
            if (!_index.TryAdd(id, r)) throw new ArgumentException($"{name}: id '{id}' has two embeddings.", nameof(ids));
            if (long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)) _byNumber.TryAdd(number, r);
            e.CopyTo(_embeddings, r * Dimension);
        }
        Ids = ids.ToArray();
    }

    /// <summary>Where the embeddings came from (a file or column), as named in errors.</summary>
    public string Name { get; }

    /// <summary>Width of every embedding.</summary>
    public int Dimension { get; }

    /// <summary>Number of ids.</summary>
    public int Count => Ids.Count;

    /// <summary>The ids, in the order given.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The embedding of <paramref name="id"/>, or an empty span when it has none. Integer ids match however they are written ("7", "007").</summary>
    public ReadOnlySpan<float> Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        int row = IndexOf(id);
        return row < 0 ? ReadOnlySpan<float>.Empty : _embeddings.AsSpan(row * Dimension, Dimension);
    }

    /// <summary>Whether <paramref name="id"/> has an embedding.</summary>
    public bool Contains(string id) => IndexOf(id) >= 0;

    private int IndexOf(string id)
    {
        if (_index.TryGetValue(id, out int row)) return row;
        return long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)
            && _byNumber.TryGetValue(number, out row) ? row : -1;
    }

    /// <summary>
    /// The embedding of every entry of <paramref name="vocabulary"/>, row-major [vocabulary.Count, Dimension]. Entries
    /// without an embedding get the mean of those with one; <paramref name="missing"/> counts them. Ids of this table
    /// that the vocabulary lacks are not used.
    /// </summary>
    /// <exception cref="ArgumentException">No entry of the vocabulary has an embedding (the ids do not match).</exception>
    public float[] RowsFor(IdVocabulary vocabulary, out int missing)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        int d = Dimension;
        var rows = new float[checked(vocabulary.Count * d)];
        var present = new bool[vocabulary.Count];
        var mean = new double[d];
        int found = 0;
        for (int i = 0; i < vocabulary.Count; i++)
        {
            var e = Find(vocabulary.GetIdText(i));
            if (e.IsEmpty) continue;
            e.CopyTo(rows.AsSpan(i * d, d));
            for (int k = 0; k < d; k++) mean[k] += e[k];
            present[i] = true;
            found++;
        }
        if (found == 0 && vocabulary.Count > 0)
            throw new ArgumentException($"{Name}: none of the {vocabulary.Count} ids of the data has an embedding (e.g. '{vocabulary.GetIdText(0)}'); do the ids match?", nameof(vocabulary));
        missing = vocabulary.Count - found;
        if (missing > 0)
        {
            var fill = mean.Select(v => (float)(v / found)).ToArray();
            for (int i = 0; i < vocabulary.Count; i++) if (!present[i]) fill.CopyTo(rows, i * d);
        }
        return rows;
    }

    /// <summary>Embeds (id, text) rows with <paramref name="encoder"/> (batched).</summary>
    public static TextFeatures Encode(IReadOnlyList<(string Id, string Text)> rows, TextEncoder encoder, string name)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(encoder);
        var embeddings = encoder.Encode(rows.Select(r => r.Text).ToArray());
        return new TextFeatures(rows.Select(r => r.Id).ToArray(), embeddings, name);
    }

    /// <summary>
    /// Reads and embeds <paramref name="spec"/>: a MovieLens <c>u.item</c> file (title and genre names per item) or
    /// <c>FILE:COLUMNS</c> with 1-based text columns (see <see cref="TextTableFile"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">COLUMNS is malformed.</exception>
    /// <exception cref="InvalidDataException">The file is not in the u.item layout and has no COLUMNS, a line lacks a column, or an id repeats.</exception>
    public static TextFeatures FromFile(string spec, TextEncoder encoder)
    {
        var parsed = TextTableFile.Parse(spec);
        return Encode(TextTableFile.Read(parsed), encoder, Path.GetFileName(parsed.Path));
    }

    /// <summary>
    /// Reads ids and embeddings from two columns of <paramref name="data"/>: an id column (key, integer or text) and a
    /// float vector column, e.g. the output of <c>mlContext.Adversarial().Transforms.EmbedText(...)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (the message names it).</exception>
    /// <exception cref="ArgumentException">A row's vector has another width than the others, or an id repeats.</exception>
    public static TextFeatures FromDataView(IDataView data, string idColumnName, string embeddingColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var ids = DataViewInteractionReader.ReadIds(data, idColumnName, "Id");
        var column = data.Schema.GetColumnOrNull(embeddingColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(embeddingColumnName), $"Embedding column '{embeddingColumnName}' not found in the input schema.");
        if (column.Type is not VectorDataViewType { ItemType: var itemType } || itemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(embeddingColumnName), $"Embedding column '{embeddingColumnName}' has type {column.Type}; expected a vector of Single.");
        var embeddings = new List<float[]>(ids.Count);
        using (var cursor = data.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                embeddings.Add(value.DenseValues().ToArray());
            }
        }
        var idTexts = ids.AsStrings().StringValues.ToArray();
        return new TextFeatures(idTexts, embeddings, $"column '{embeddingColumnName}'");
    }
}
