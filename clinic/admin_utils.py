"""Admin pieces both apps share."""


class ReadOnlyAdminMixin:
    """Records shown in the admin that nobody adds, changes or deletes there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
