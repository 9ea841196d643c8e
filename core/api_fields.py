from rest_framework import serializers


class CodeRelatedField(serializers.SlugRelatedField):
    """A row chosen by its code. A value no code can be (control characters, NUL, over 100 characters) is the
    field's "does not exist" 400 before it reaches the database, which would refuse a NUL with an error."""

    def to_internal_value(self, data):
        if isinstance(data, str) and (len(data) > 100 or any(ord(c) < 32 or ord(c) == 127 for c in data)):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data[:100])
        return super().to_internal_value(data)
