using System.Linq;
using Onnx;

namespace CnnGen.Cli.Import
{
    /// <summary>Reads a node's attributes by name, with ONNX's defaults.</summary>
    internal static class OnnxAttributes
    {
        public static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

        public static long Int(NodeProto node, string name, long fallback) => Find(node, name) is { } a ? a.I : fallback;

        public static float Float(NodeProto node, string name, float fallback) => Find(node, name) is { } a ? a.F : fallback;

        public static long[]? Ints(NodeProto node, string name) => Find(node, name) is { } a ? a.Ints.ToArray() : null;

        public static string String(NodeProto node, string name, string fallback) => Find(node, name) is { } a ? a.S.ToStringUtf8() : fallback;
    }
}
